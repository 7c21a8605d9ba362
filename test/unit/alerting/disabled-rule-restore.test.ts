/**
 * An alert still firing when its rule is turned off (`enabled: false`) and
 * the engine restarts from its changelog: the restoring processor resolves
 * it — one `resolved` per instance, at the first event time it handles (in
 * live mode the restored frontier), at the level and severity it had, with
 * the reason in its description — instead of forgetting it, which left a
 * consumer's page open forever (Alertmanager: an alert whose rule is gone
 * resolves).
 */
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { AlertingStateSnapshot } from '../../../processors/alerting/alerting-processor.js';
import { AlertingProcessor } from '../../../processors/alerting/alerting-processor.js';
import { alertFingerprint } from '../../../processors/alerting/alert-instance.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { alertEventSchema } from '../../../schemas/alert-event.js';
import { MIN, SEC, T0, WALL, advance, brief, incidentFact, iso, makeProcessor, mttrFact, stateIncident } from './helpers.js';

const copy = <T>(state: T): T => JSON.parse(JSON.stringify(state)) as T;

/** drift_detected for staging/web: its incident started at T0, learnt at T0 + 10 s; escalated to level 2 at T0 + 5 min. */
function firingDrift(): AlertingStateSnapshot {
  const { processor, run } = makeProcessor();
  const out = run(incidentFact(T0 + 10 * SEC, 'opened', stateIncident()), advance(T0 + 7 * MIN));
  expect(brief(out).map(([rule, status, level]) => [rule, status, level])).toEqual([
    ['drift_detected', 'firing', 1],
    ['drift_detected', 'firing', 2],
  ]);
  return copy(processor.snapshotKey('staging/web')!);
}

const withoutDrift = () => makeProcessor((c) => (c.rules.drift_detected.enabled = false));

describe('restoring an alert whose rule is disabled since the snapshot', () => {
  it('a keyed alert is resolved once, at the first event time handled, at its last level, saying why', () => {
    const saved = firingDrift();
    const { processor, run } = withoutDrift();
    processor.restoreKey('staging/web', saved);
    // Its next escalation (level 3 at 15 min of age) is due before this fact: it does not happen, the rule is off.
    const out = run(advance(T0 + 20 * MIN));
    expect(brief(out)).toEqual([['drift_detected', 'resolved', 2, 'medium', 20 * MIN]]);
    const alert = out[0]!.alert;
    expect(alertEventSchema.check(alert, '')).toBeUndefined();
    expect(alert).toMatchObject({
      fingerprint: alertFingerprint('drift_detected', { env: 'staging', artifact: 'web' }),
      labels: { env: 'staging', artifact: 'web' },
      startsAt: iso(T0), // the incident's start
      endsAt: iso(T0 + 20 * MIN),
      incidentId: 'inc-1',
      correlationId: 'corr-1',
    });
    expect(alert.annotations.summary).toBe(saved.instances[0]!.details.annotations.summary);
    expect(alert.annotations.description).toContain(saved.instances[0]!.details.annotations.description);
    expect(alert.annotations.description).toMatch(/rule drift_detected is disabled in alerts\.yaml \(enabled: false\)/);
    // The key's state changed (a changelog write goes with the emission), and nothing of the alert is left.
    expect(processor.drainDirtyKeys()).toEqual(['staging/web']);
    expect(processor.snapshotKey('staging/web')).toBeUndefined();
    expect(processor.firingCount).toBe(0);
    expect(run(advance(T0 + 60 * MIN), advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('a per-env alert of the whole state is resolved the same way', () => {
    const { processor: before, run: runBefore } = makeProcessor();
    expect(brief(runBefore(mttrFact(T0 + 30 * MIN + 1, 'prod', { openIncidents: 1, oldestOpenMs: 30 * MIN + 1 })))).toEqual([
      ['mttr_breach', 'firing', 1, 'high', 30 * MIN + 1],
    ]);
    const { processor, run } = makeProcessor((c) => (c.rules.mttr_breach.enabled = false));
    processor.restore(copy(before.snapshot()));
    const out = run(advance(T0 + 40 * MIN));
    // Level 1: at 40 min it would be at level 2 (5 min of age), but a disabled rule's alert is not escalated on its way out.
    expect(brief(out)).toEqual([['mttr_breach', 'resolved', 1, 'high', 40 * MIN]]);
    expect(out[0]!.alert.endsAt).toBe(iso(T0 + 40 * MIN));
    expect(out[0]!.alert.annotations.description).toMatch(/rule mttr_breach is disabled/);
    expect(processor.snapshot().instances).toEqual([]);
    expect(run(advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('only the disabled rule\'s instances: the others of the key go on firing, emitting nothing', () => {
    const { processor: before, run: runBefore } = makeProcessor();
    runBefore(incidentFact(T0 + 10 * SEC, 'opened', stateIncident({ desiredFrom: 'rollback' })), advance(T0 + MIN));
    const saved = copy(before.snapshotKey('staging/web')!);
    expect(saved.instances.map((i) => i.rule).sort()).toEqual(['drift_detected', 'rollback_failed']);
    const { processor, run } = withoutDrift();
    processor.restoreKey('staging/web', saved);
    expect(brief(run(advance(T0 + 2 * MIN)))).toEqual([['drift_detected', 'resolved', 1, 'medium', 2 * MIN]]);
    expect(processor.snapshotKey('staging/web')?.instances.map((i) => i.rule)).toEqual(['rollback_failed']);
  });

  it('a rule this version no longer has is resolved too, saying so', () => {
    const saved = firingDrift();
    const renamed = { ...saved, instances: saved.instances.map((i) => ({ ...i, rule: 'drift_seen' as 'drift_detected' })) };
    const { processor, run } = makeProcessor();
    processor.restoreKey('staging/web', renamed);
    const out = run(advance(T0 + 20 * MIN));
    expect(out.map((o) => [o.alert.rule, o.alert.status])).toEqual([['drift_seen', 'resolved']]);
    expect(out[0]!.alert.annotations.description).toMatch(/rule drift_seen no longer exists/);
  });

  it('a keyed alert of a rule this version no longer has stays the key\'s: the resolution rewrites the key\'s record, once', () => {
    // Which rules are keyed is known by name, and an unknown name is none of them; but the instance came with
    // the key's state, and only a changelog write of that key forgets it — else every restart resolves it again.
    const saved = firingDrift();
    const renamed = { rules: {}, instances: saved.instances.map((i) => ({ ...i, rule: 'drift_seen' as 'drift_detected' })) };
    const { processor, run } = makeProcessor();
    processor.restoreKey('staging/web', renamed);
    expect(processor.snapshot().instances).toEqual([]); // not taken into the whole state either
    expect(run(advance(T0 + 20 * MIN)).map((o) => o.alert.status)).toEqual(['resolved']);
    expect(processor.drainDirtyKeys()).toEqual(['staging/web']);
    expect(processor.snapshotKey('staging/web')).toBeUndefined();
  });

  it('two members restoring the same snapshot at the same frontier decide the same resolution, under the same alertId', () => {
    const saved = firingDrift();
    const config = defaultAlertsConfig();
    config.rules.drift_detected.enabled = false;
    const decide = (): AlertEvent[] => {
      const p = new AlertingProcessor(config, undefined, { now: () => WALL });
      p.restoreKey('staging/web', copy(saved));
      const out: AlertEvent[] = [];
      p.handle(advance(T0 + 20 * MIN), (f) => f.kind === 'alert' && out.push(f.alert));
      return out;
    };
    const first = decide();
    expect(first).toHaveLength(1);
    expect(decide()).toEqual(first);
  });

  it('a key dropped before any fact (partition revoked) resolves nothing here: its next owner does', () => {
    const saved = firingDrift();
    const { processor, run } = withoutDrift();
    processor.restoreKey('staging/web', saved);
    processor.dropKey('staging/web');
    expect(run(advance(T0 + 20 * MIN))).toEqual([]);
  });
});
