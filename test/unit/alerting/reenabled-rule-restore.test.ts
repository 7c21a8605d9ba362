/**
 * A rule turned back on (`enabled: true` again) and the engine restarted
 * from a changelog written while it was off: its own state for the key (which
 * incidents raised its alert) was neither kept nor snapshotted then, but the
 * incidents themselves were (state-drift, determinism). An incident rule whose
 * condition holds at the restore — a matching incident still open — fires
 * with the first fact handled after it (in live mode the advance to the
 * restored frontier), once, as if it had been on; before, it waited for the
 * incident's next update, which may be far off.
 */
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import type { Incident } from '../../../processors/facts.js';
import { AlertingProcessor, type AlertingStateSnapshot } from '../../../processors/alerting/alerting-processor.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { MIN, SEC, T0, WALL, advance, brief, incidentFact, iso, only, stateIncident } from './helpers.js';

const copy = <T>(state: T): T => JSON.parse(JSON.stringify(state)) as T;

/** A processor with the rules `mutate` leaves on, told the open incidents of each key as the topology tells it. */
function restoring(open: Record<string, Incident[]>, mutate: (c: AlertsConfig) => void = () => {}) {
  const config = defaultAlertsConfig();
  mutate(config);
  let n = 0;
  const processor = new AlertingProcessor(config, undefined, { now: () => WALL, newAlertId: () => `alert-${++n}`, openIncidents: (key) => open[key] ?? [] });
  const run = (...facts: Parameters<AlertingProcessor['handle']>[0][]) => {
    const out: Array<{ at: number; alert: AlertEvent }> = [];
    for (const f of facts) processor.handle(f, (d) => d.kind === 'alert' && out.push({ at: d.at, alert: d.alert }));
    return out;
  };
  return { processor, run };
}

/** The alerting state of staging/web written while drift_detected was off: an incident opened (nothing of the rule's). */
function writtenWhileOff(incident: Incident): AlertingStateSnapshot | undefined {
  const { processor, run } = restoring({}, (c) => (c.rules.drift_detected.enabled = false));
  expect(run(incidentFact(incident.startedAt + 10 * SEC, 'opened', incident), advance(T0 + 20 * MIN)).filter((o) => o.alert.rule === 'drift_detected')).toEqual([]);
  const saved = processor.snapshotKey('staging/web');
  return saved && copy(saved);
}

/** What restoreTopology does with a key's record: its alerting part restored, or the key emptied when there is none. */
function restoreKey(processor: AlertingProcessor, key: string, saved: AlertingStateSnapshot | undefined): void {
  if (saved === undefined) processor.dropKey(key);
  else processor.restoreKey(key, saved);
}

describe('restoring with a rule turned back on since the snapshot', () => {
  it('drift_detected fires for the incident still open, at the first event time handled, as old as the drift, once', () => {
    const incident = stateIncident();
    const saved = writtenWhileOff(incident);
    const { processor, run } = restoring({ 'staging/web': [incident] });
    restoreKey(processor, 'staging/web', saved);
    const out = run(advance(T0 + 20 * MIN));
    // 20 minutes into the drift: level 3, as the rule had it had it been on.
    expect(brief(out)).toEqual([['drift_detected', 'firing', 3, 'medium', 20 * MIN]]);
    expect(out[0]!.alert).toMatchObject({ labels: { env: 'staging', artifact: 'web' }, startsAt: iso(T0), incidentId: 'inc-1', correlationId: 'corr-1' });
    expect(processor.drainDirtyKeys()).toEqual(['staging/web']); // the key's record learns the alert (and which incident raised it)
    expect(processor.snapshotKey('staging/web')?.rules.drift_detected).toEqual({ raisedBy: [['inc-1', { env: 'staging', artifact: 'web' }]] });
    // The incident's next update changes nothing; its resolution resolves the alert, once.
    expect(run(incidentFact(T0 + 25 * MIN, 'updated', { ...incident, divergentDigests: ['sha256:bbb', 'sha256:ccc'] }))).toEqual([]);
    const resolved = run(incidentFact(T0 + 26 * MIN, 'resolved', { ...incident, resolvedAt: T0 + 26 * MIN, reason: 'converged' }));
    expect(brief(resolved)).toEqual([['drift_detected', 'resolved', 3, 'medium', 26 * MIN]]);
    expect(run(advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('nothing more when the rule was on all along: the restored alert goes on firing, emitting nothing', () => {
    const incident = stateIncident();
    const { processor: before, run: runBefore } = restoring({});
    expect(runBefore(incidentFact(T0 + 10 * SEC, 'opened', incident))).toHaveLength(1);
    const { processor, run } = restoring({ 'staging/web': [incident] });
    processor.restoreKey('staging/web', copy(before.snapshotKey('staging/web')!));
    // Only its escalation, due on its own at 5 minutes of age.
    expect(brief(run(advance(T0 + 6 * MIN)))).toEqual([['drift_detected', 'firing', 2, 'medium', 5 * MIN]]);
  });

  it('rollback_failed fires from the restore: when the incident began to come from a rollback is not kept', () => {
    const incident = stateIncident({ desiredFrom: 'rollback' });
    const { processor, run } = restoring({ 'staging/web': [incident] }, only('rollback_failed'));
    processor.restoreKey('staging/web', { instances: [], rules: {} }); // the key's record had no alerting state of it
    const out = run(advance(T0 + 20 * MIN));
    expect(brief(out)).toEqual([['rollback_failed', 'firing', 1, 'critical', 20 * MIN]]);
    expect(out[0]!.alert.startsAt).toBe(iso(T0 + 20 * MIN));
  });

  it('an open incident the rule does not apply to fires nothing', () => {
    const { processor, run } = restoring({ 'staging/web': [stateIncident()] }, only('rollback_failed'));
    processor.dropKey('staging/web');
    expect(run(advance(T0 + 20 * MIN))).toEqual([]);
  });

  it('hydration_nondeterminism fires for its open determinism incident, labelled with the rule id', () => {
    const incident = stateIncident({ incidentId: 'det-1', kind: 'determinism', ruleId: 'rule-7', inputDigest: 'sha256:in', startedAt: T0 + MIN });
    const { processor, run } = restoring({ 'staging/web': [incident] }, only('hydration_nondeterminism'));
    processor.dropKey('staging/web');
    const out = run(advance(T0 + 3 * MIN));
    expect(brief(out)).toEqual([['hydration_nondeterminism', 'firing', 1, 'high', 3 * MIN]]);
    expect(out[0]!.alert).toMatchObject({ labels: { env: 'staging', artifact: 'web', ruleId: 'rule-7' }, startsAt: iso(T0 + MIN), incidentId: 'det-1' });
  });

  it('two members restoring the same state at the same frontier decide the same alert, under the same alertId', () => {
    const incident = stateIncident();
    const decide = (): AlertEvent[] => {
      const p = new AlertingProcessor(defaultAlertsConfig(), undefined, { now: () => WALL, openIncidents: () => [incident] });
      p.dropKey('staging/web');
      const out: AlertEvent[] = [];
      p.handle(advance(T0 + 20 * MIN), (f) => f.kind === 'alert' && out.push(f.alert));
      return out;
    };
    const first = decide();
    expect(first.map((a) => a.status)).toEqual(['firing']);
    expect(decide()).toEqual(first);
  });

  it('the incidents open at the restore are judged, not those the first fact opens on its way here', () => {
    const asked: string[] = [];
    const open: Record<string, Incident[]> = {};
    const p = new AlertingProcessor(defaultAlertsConfig(), undefined, { now: () => WALL, openIncidents: (key) => (asked.push(key), open[key] ?? []) });
    p.restoreKey('staging/web', { instances: [], rules: {} });
    // State drift, before alerting in the chain, opens an incident with the first fact: its alert follows its fact.
    open['staging/web'] = [stateIncident({ startedAt: T0 + MIN })];
    const out: Array<[string, string]> = [];
    p.handle(advance(T0 + MIN), (f) => f.kind === 'alert' && out.push([f.alert.rule, f.alert.status]));
    expect(out).toEqual([]);
    p.handle(incidentFact(T0 + MIN, 'opened', open['staging/web']![0]!), (f) => f.kind === 'alert' && out.push([f.alert.rule, f.alert.status]));
    expect(out).toEqual([['drift_detected', 'firing']]);
    expect(asked).toEqual(['staging/web']);
  });

  it('a key dropped after its restore (partition revoked) fires nothing here: its next owner does', () => {
    const open: Record<string, Incident[]> = { 'staging/web': [stateIncident()] };
    const { processor, run } = restoring(open);
    processor.restoreKey('staging/web', { instances: [], rules: {} });
    delete open['staging/web']; // dropped from the detecting processors first, in chain order
    processor.dropKey('staging/web');
    expect(run(advance(T0 + 20 * MIN))).toEqual([]);
  });
});
