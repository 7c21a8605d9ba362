/**
 * A second process with a running instance's DRIFTWATCH_INSTANCE_ID refuses
 * to start (before its producer connects and fences the running one), but a
 * restart after a crash is not refused for the dead predecessor the group
 * still lists until its session expires. On a virtual clock; the group
 * described as the test says. The broker's side: live-duplicate-instance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import kafkajs, { type ConsumerGroupState, type GroupDescription } from 'kafkajs';
import { refuseDuplicateInstance, SESSION_EXPIRY_MARGIN_MS, WAIT_NOTICE_MS } from '../../../engine/live/duplicate-instance.js';
import { DuplicateInstanceError } from '../../../lib/errors.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';

const SESSION_MS = 30_000;

function member(instanceId: string) {
  const memberMetadata = kafkajs.AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['t'], userData: Buffer.from(instanceId) });
  return { memberId: `${instanceId}-${Math.random()}`, clientId: 'driftwatch', clientHost: '/127.0.0.1', memberMetadata, memberAssignment: Buffer.alloc(0) };
}

function group(state: ConsumerGroupState, ids: string[]): GroupDescription {
  return { groupId: 'g', state, protocol: 'DriftwatchCoPartitionAssigner', protocolType: 'consumer', members: ids.map(member) };
}

/** Runs the check against `groupAt(virtual ms since start)`; what it did and when. */
async function check(groupAt: (ms: number) => GroupDescription | undefined) {
  let now = 0;
  const logs: Array<{ msg?: string; level?: number; waitedMs?: number; waitMs?: number; state?: string }> = [];
  let looks = 0;
  const result = await refuseDuplicateInstance({
    describe: async () => (looks++, groupAt(now)),
    instanceId: 'twin',
    groupId: 'g',
    sessionTimeoutMs: SESSION_MS,
    log: capturingLogger(logs),
    now: () => now,
    sleep: async (ms) => void (now += ms),
  }).then(
    () => 'started' as const,
    (err: unknown) => err,
  );
  return { result, at: now, looks, logs };
}

describe('refusing to start beside an instance with the same id', () => {
  it('starts at once when no member announces the id (no group yet, other instances)', async () => {
    expect(await check(() => undefined)).toMatchObject({ result: 'started', at: 0, looks: 1 });
    expect(await check(() => group('Empty', []))).toMatchObject({ result: 'started', at: 0, looks: 1 });
    expect(await check(() => group('Stable', ['one', 'two']))).toMatchObject({ result: 'started', at: 0, looks: 1 });
  });

  it('waits for a predecessor that died without leaving: the group drops it once its session expires', async () => {
    const expires = SESSION_MS - 4_000;
    const r = await check((ms) => (ms < expires ? group('Stable', ['twin', 'other']) : ms < expires + 2_000 ? group('PreparingRebalance', ['other']) : group('Stable', ['other'])));
    expect(r.result).toBe('started');
    expect(r.at).toBe(expires + 2_000);
    expect(r.logs.filter((l) => /has this instance id: waiting for it to leave/.test(l.msg ?? ''))).toHaveLength(1);
  });

  it('refuses, naming the id and the cause, when the member is still there after the session timeout', async () => {
    const r = await check(() => group('Stable', ['twin']));
    expect(r.result).toBeInstanceOf(DuplicateInstanceError);
    const err = r.result as DuplicateInstanceError;
    expect(err.message).toMatch(/^another instance runs with DRIFTWATCH_INSTANCE_ID=twin in consumer group g \(.*\); each instance needs a unique id$/);
    expect(err.code).toBe('DW_DUPLICATE_INSTANCE');
    expect(r.at).toBeGreaterThanOrEqual(SESSION_MS + SESSION_EXPIRY_MARGIN_MS);
    expect(r.at).toBeLessThan(SESSION_MS + SESSION_EXPIRY_MARGIN_MS + 2_000);
  });

  it('refuses a member still announcing the id when the group rebalances at the deadline: it waits for the group to settle', async () => {
    const deadline = SESSION_MS + SESSION_EXPIRY_MARGIN_MS;
    // Another member joining or leaving around the deadline: described without subscriptions for 3 s.
    const r = await check((ms) => (ms >= deadline - 500 && ms < deadline + 3_000 ? group('PreparingRebalance', ['twin', 'other']) : group('Stable', ['twin', 'other'])));
    expect(r.result).toBeInstanceOf(DuplicateInstanceError);
    expect(r.at).toBeGreaterThanOrEqual(deadline + 3_000);
  });

  it('starts when the group settles after the deadline without the member (a dead predecessor whose expiry rebalanced the group late)', async () => {
    const deadline = SESSION_MS + SESSION_EXPIRY_MARGIN_MS;
    const r = await check((ms) => (ms < SESSION_MS ? group('Stable', ['twin', 'other']) : ms < deadline + 3_000 ? group('PreparingRebalance', ['other']) : group('Stable', ['other'])));
    expect(r).toMatchObject({ result: 'started' });
  });

  it('lets a group it cannot tell through at the deadline (rebalancing throughout: members described without subscriptions)', async () => {
    const r = await check(() => group('PreparingRebalance', ['twin']));
    expect(r.result).toBe('started');
    expect(r.at).toBeGreaterThanOrEqual(SESSION_MS + SESSION_EXPIRY_MARGIN_MS);
  });

  it('says once what it waits for when the group cannot be told for more than a few seconds (it said nothing for up to the session timeout + 5 s)', async () => {
    const r = await check(() => group('PreparingRebalance', ['twin']));
    const waiting = r.logs.filter((l) => /rebalancing: waiting for it to settle/.test(l.msg ?? ''));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ level: 30, waitedMs: WAIT_NOTICE_MS, waitMs: SESSION_MS + SESSION_EXPIRY_MARGIN_MS, state: 'PreparingRebalance' });
    expect(waiting[0]!.msg).toMatch(/another member already runs with this instance id/);
  });

  it('says nothing of a rebalance that settles within a few seconds, and nothing more than the warning once a twin was seen', async () => {
    const brief = await check((ms) => (ms < WAIT_NOTICE_MS - 1_000 ? group('CompletingRebalance', ['other']) : group('Stable', ['other'])));
    expect(brief).toMatchObject({ result: 'started', logs: [] });
    const twinSeen = await check((ms) => (ms < 1_000 ? group('Stable', ['twin']) : group('PreparingRebalance', ['twin'])));
    expect(twinSeen.logs.map((l) => l.level)).toEqual([40]);
  });
});
