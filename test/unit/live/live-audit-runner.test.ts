/**
 * The live runner tells its audit trail (engine/live/live-audit.ts) what it
 * goes through: /readyz transitions, rebalances, and a consumer crash on a
 * refused SASL login. The runner on the stand-in Kafka client; the audit
 * writes to a stand-in store writer that keeps the facts it is handed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import kafkajs from 'kafkajs';
import { LiveAudit } from '../../../engine/live/live-audit.js';
import { silentLogger } from '../../../lib/logger.js';
import type { AuditRecord, Fact } from '../../../processors/facts.js';
import { hydration, NOW, startStandInRunner, type StandInRunner } from '../../helpers/stand-in-runner.js';

let h: StandInRunner | undefined;
afterEach(async () => {
  await h?.runner.stop();
  h = undefined;
});

function auditTrail() {
  const records: AuditRecord[] = [];
  const writer = { write: (fact: Fact) => void (fact.kind === 'audit' && records.push(fact.record)) };
  const audit = new LiveAudit({ writer, instanceId: 'stand-in', runId: 'run-1', groupId: 'driftwatch-engine', logger: silentLogger });
  return { audit, records };
}

describe('the live runner audits its health and security events', () => {
  it('not ready while the broker does not answer for a session timeout, with that reason (broker-contact.ts)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { audit, records } = auditTrail();
      h = await startStandInRunner({ audit });
      await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', NOW - 1000)]);
      h.clock.now += 31_000;
      await vi.advanceTimersByTimeAsync(250); // the idle tick notices the silence
      audit.close(); // the rate limit holds ready → not ready within a minute: released as on stop
      expect(records.map((r) => r.action)).toEqual(['group.partitions_assigned', 'instance.ready', 'instance.not_ready']);
      expect(records[2]!.details).toMatchObject({ outcome: 'degraded', reason: expect.stringMatching(/^broker unreachable: no fetch, heartbeat, join, lag read, changelog fetch or transaction commit answered for 31s/) });
    } finally {
      vi.useRealTimers();
    }
  });

  it('ready once its state is restored, not ready when it stops; the rebalance with its partition counts', async () => {
    const { audit, records } = auditTrail();
    h = await startStandInRunner({ audit, partitions: 2 });
    expect(records.map((r) => r.action)).toEqual(['group.partitions_assigned']);
    expect(records[0]!.details).toMatchObject({ generation: 1, partitions: 6 });
    await h.member.batch(h.topics.hydration, 0, 0, [hydration('e0', NOW - 1000)]);
    expect(h.runner.ready).toBe(true);
    expect(records.map((r) => [r.category, r.action])).toEqual([
      ['performance', 'group.partitions_assigned'],
      ['performance', 'instance.ready'],
    ]);
    // More batches: still ready, no more records.
    await h.member.batch(h.topics.hydration, 0, 1, [hydration('e1', NOW - 900)]);
    expect(records).toHaveLength(2);
    await h.runner.stop();
    h = undefined;
    audit.close(); // what the rate limit held (ready and not ready within a minute) goes now, as driftwatch run does on stop
    expect(records.map((r) => r.action)).toEqual(['group.partitions_assigned', 'instance.ready', 'instance.not_ready']);
    expect(records[2]!.details).toMatchObject({ outcome: 'degraded', reason: 'shutting down' });
  });

  it('a consumer that crashes on a refused SASL login is a security record, and a new member is started', async () => {
    const { audit, records } = auditTrail();
    h = await startStandInRunner({ audit });
    const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    h.member.crash(new SaslError('SASL PLAIN authentication failed: Authentication failed during authentication due to invalid credentials'));
    const security = records.filter((r) => r.category === 'security');
    expect(security).toHaveLength(1);
    expect(security[0]).toMatchObject({ action: 'kafka.authentication_failed', actor: 'stand-in', subjectId: 'kafka', correlationId: 'run-1' });
  });
});
