import { describe, it, expect } from 'vitest';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { PromotionWindowsProcessor, type PromotionStartsSnapshot } from '../../../processors/promotion-windows.js';
import { MttrProcessor } from '../../../processors/mttr.js';
import { AlertingProcessor, type AlertingStateSnapshot } from '../../../processors/alerting/alerting-processor.js';
import type { Fact, FactOf } from '../../../processors/facts.js';
import type { Processor } from '../../../processors/processor.js';
import { MIN, T0 } from '../drift/builders.js';
import { advance, late, promotion } from '../aggregates/facts.js';
import { DAY } from '../../../lib/time.js';
import { syntheticScenario } from './scenario.js';
import { WALL, alertIds, cuts, expectChangelogInSync, factsOf, inputOf, run, runWithRestart } from './harness.js';

const facts = factsOf(syntheticScenario());

/** A factory per logical run, so the instances before and after a restart share one alert-id sequence. */
type RunFactory = () => () => Processor;

const alerting: RunFactory = () => {
  const ids = alertIds();
  return () => new AlertingProcessor(defaultAlertsConfig(), undefined, { now: () => WALL, newAlertId: ids });
};

const processors: Array<[string, RunFactory]> = [
  ['promotion-windows', () => () => new PromotionWindowsProcessor(defaultProcessingOptions)],
  ['mttr', () => () => new MttrProcessor(defaultProcessingOptions, { breachAfterMs: 30 * MIN })],
  ['alerting', alerting],
];

const cutAt = (input: Fact[], at: number) => input.findIndex((f) => f.at >= at);

describe.each(processors)('%s state', (name, newRun) => {
  const input = inputOf(name, facts);
  const whole = run(newRun()(), input);

  it('restarting from a snapshot at any point yields the uninterrupted output', () => {
    expect(whole.length).toBeGreaterThan(10);
    for (const cut of cuts(input.length, 53)) expect(runWithRestart(newRun(), input, cut), `cut ${cut}`).toEqual(whole);
  });

  it('restarting just before a pending timer fires it on time (32 min: breach and escalations due at 35 min)', () => {
    const cut = cutAt(input, T0 + 32 * MIN);
    expect(runWithRestart(newRun(), input, cut)).toEqual(whole);
  });
});

describe('promotion-windows state', () => {
  it('re-arms the 24 h expiry of remembered start times', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p2', 'started'), promotion(T0 + 2 * MIN, 'p2', 'succeeded')]);
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restore(JSON.parse(JSON.stringify(p.snapshot())));
    // Start times are keyed state (they move with their key's partition).
    expect(q.pendingPromotions).toBe(0);
    for (const key of p.drainDirtyKeys()) {
      const state = p.snapshotKey(key);
      if (state) q.restoreKey(key, JSON.parse(JSON.stringify(state)));
    }
    expect(q.pendingPromotions).toBe(1);
    run(q, [advance(T0 + DAY - 1)]);
    expect(q.pendingPromotions).toBe(1);
    run(q, [advance(T0 + DAY)]);
    expect(q.pendingPromotions).toBe(0);
  });
});

describe('mttr state', () => {
  it('the breach timer of the prod/catalog incident survives a restart at 32 min', () => {
    const input = inputOf('mttr', facts);
    const out = runWithRestart(() => new MttrProcessor(defaultProcessingOptions), input, cutAt(input, T0 + 32 * MIN)) as FactOf<'mttr'>[];
    // r2's rogue observation (the incident start) is at 5 min + 1 ms; open longer than 30 min from 35 min + 2 ms, where no
    // input falls: only the timer.
    const breach = out.find((f) => f.at === T0 + 35 * MIN + 2);
    expect(breach?.snapshots.find((s) => s.scope === 'prod' && s.window === '1h')).toMatchObject({ openIncidents: 1, oldestOpenMs: 30 * MIN + 1 });
  });
});

describe('promotion start times across a rebalance (they move with their key)', () => {
  const starts = [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p2', 'started')];
  const ends = [promotion(T0 + 7 * MIN, 'p1', 'succeeded'), advance(T0 + 20 * MIN)];
  const durations = (out: Fact[]) => out.flatMap((f) => (f.kind === 'promotion-window' ? [f.row.durationP50Ms] : []));

  it('the member that gets the key reports the duration of a promotion started before the move', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, starts);
    const keys = p.drainDirtyKeys();
    expect(keys).toHaveLength(1);
    const q = new PromotionWindowsProcessor(defaultProcessingOptions); // the new owner
    q.restoreKey(keys[0]!, JSON.parse(JSON.stringify(p.snapshotKey(keys[0]!))));
    expect(durations(run(q, ends))).toContain(7 * MIN);
    expect(q.pendingPromotions).toBe(1); // p2 still running
  });

  /** p1 ends with `outcome` on one member; the key moves; the new owner sees its rollback. Its window rows. */
  function rolledBackAfterMove(outcome: 'succeeded' | 'failed') {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', outcome)]);
    const [key] = p.drainDirtyKeys();
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restoreKey(key!, JSON.parse(JSON.stringify(p.snapshotKey(key!))));
    const out = run(q, [promotion(T0 + 7 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } }), advance(T0 + 20 * MIN)]);
    return out.flatMap((f) => (f.kind === 'promotion-window' ? [f.row] : []));
  }

  it('the member that gets the key takes back the success of a promotion rolled back after the move', () => {
    expect(rolledBackAfterMove('succeeded').map((r) => [r.rolledBack, r.rolledBackAfterSuccess, r.promotionsEnded])).toEqual([[1, 1, 0]]);
  });

  it('the member that gets the key does not end a failed promotion again when it is rolled back after the move', () => {
    expect(rolledBackAfterMove('failed').map((r) => [r.rolledBack, r.rolledBackAfterSuccess, r.promotionsEnded])).toEqual([[1, 0, 0]]);
  });

  it('the member that gets the key counts a failed promotion retried into a success after the move once, where it failed', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', 'failed')]);
    const [key] = p.drainDirtyKeys();
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restoreKey(key!, JSON.parse(JSON.stringify(p.snapshotKey(key!))));
    const out = run(q, [promotion(T0 + 7 * MIN, 'p1', 'started'), promotion(T0 + 8 * MIN, 'p1', 'succeeded'), advance(T0 + 20 * MIN)]);
    expect(out.flatMap((f) => (f.kind === 'promotion-window' ? [[f.row.promotionsEnded, f.row.endedSucceeded, f.row.successChanges]] : []))).toEqual([
      [0, 0, [{ windowEnd: T0 + 5 * MIN, delta: 1 }]],
    ]);
  });

  it('the member that gets the key counts a promotion rolled back before the move and retried after it once, where it ended', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', 'succeeded'), promotion(T0 + 2 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } })]);
    const [key] = p.drainDirtyKeys();
    const saved = JSON.parse(JSON.stringify(p.snapshotKey(key!))) as PromotionStartsSnapshot;
    expect(saved.rolledBackAt).toEqual([[expect.stringMatching(/^prod\u0000/), T0 + MIN]]); // under its first end
    const retry = [promotion(T0 + 7 * MIN, 'p1', 'started'), promotion(T0 + 8 * MIN, 'p1', 'succeeded'), advance(T0 + 20 * MIN)];
    const rowsOf = (out: Fact[]) => out.flatMap((f) => (f.kind === 'promotion-window' ? [[f.row.promotionsEnded, f.row.endedSucceeded, f.row.successChanges]] : []));
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restoreKey(key!, saved);
    expect(rowsOf(run(q, retry))).toEqual([[0, 0, [{ windowEnd: T0 + 5 * MIN, delta: 1 }]]]);
    // A key written before rollbacks were remembered has no rolledBackAt: the rollback forgot p1 then, so its retry ends it anew.
    const old = new PromotionWindowsProcessor(defaultProcessingOptions);
    old.restoreKey(key!, { startedAt: saved.startedAt, succeededAt: [], failedAt: [] });
    expect(rowsOf(run(old, retry))).toEqual([[1, 1, []]]);
  });

  it('the member that gets the key of a promotion its rollback ended takes a success from before that rollback, learnt late after the move, as its first end', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, [promotion(T0, 'p1', 'started'), promotion(T0 + 2 * MIN, 'p1', 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } })]);
    const [key] = p.drainDirtyKeys();
    const saved = JSON.parse(JSON.stringify(p.snapshotKey(key!))) as PromotionStartsSnapshot;
    expect(saved.endedByRollback).toEqual([[expect.stringMatching(/^prod\u0000/), 2 * MIN]]); // the duration the rollback counted
    // The new member's window of the rollback is its own (it counted neither the end nor the duration): the end moves within it.
    const lateSuccess = [late(promotion(T0 + MIN, 'p1', 'succeeded'), T0 + 3 * MIN), advance(T0 + 20 * MIN)];
    const outcomeOf = (out: Fact[]) => out.flatMap((f) => (f.kind === 'promotion-outcome' ? [[f.outcome.firstEndedAt - T0, f.outcome.outcome]] : []));
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restoreKey(key!, saved);
    expect(outcomeOf(run(q, lateSuccess))).toEqual([[MIN, 'succeeded_then_rolled_back']]);
    // A key written before this was kept: the rollback is not known to have ended p1 itself, so the success is a retry, as then.
    const old = new PromotionWindowsProcessor(defaultProcessingOptions);
    old.restoreKey(key!, { startedAt: saved.startedAt, succeededAt: [], failedAt: [], rolledBackAt: saved.rolledBackAt });
    expect(outcomeOf(run(old, lateSuccess))).toEqual([[2 * MIN, 'succeeded']]);
  });

  it('an open window from before retries ended once restores what the rule counted then', () => {
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    const w = {
      started: 3, succeeded: 2, failed: 1, rolledBack: 1, rolledBackAfterSuccess: 1, promotionsEnded: 3, successesTakenBack: [[T0 - 5 * MIN, 1]] as Array<[number, number]>,
      durations: [], snapshotsVerified: 0, snapshotsUnverified: 0, gates: [],
    };
    q.restore({ windows: [{ start: T0, envs: [['prod', w]] }] });
    const out = run(q, [advance(T0 + 20 * MIN)]);
    expect(out.flatMap((f) => (f.kind === 'promotion-window' ? [[f.row.endedSucceeded, f.row.successChanges]] : []))).toEqual([[2, [{ windowEnd: T0 - 5 * MIN, delta: -1 }]]]);
  });

  it('an open window from before promotionsEnded was counted restores it from its counts', () => {
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    const w = { started: 3, succeeded: 2, failed: 1, rolledBack: 1, rolledBackAfterSuccess: 1, durations: [], snapshotsVerified: 0, snapshotsUnverified: 0, gates: [] };
    q.restore({ windows: [{ start: T0, envs: [['prod', w]] }] });
    const out = run(q, [advance(T0 + 20 * MIN)]);
    expect(out.flatMap((f) => (f.kind === 'promotion-window' ? [f.row.promotionsEnded] : []))).toEqual([3]);
  });

  it('a key snapshot from before successes were kept restores its start times', () => {
    const q = new PromotionWindowsProcessor(defaultProcessingOptions);
    q.restoreKey('prod/app', { startedAt: [['prod\u0000p1', T0]] });
    expect(q.pendingPromotions).toBe(1);
  });

  it('the member that lost the key forgets its start times', () => {
    const p = new PromotionWindowsProcessor(defaultProcessingOptions);
    run(p, starts);
    p.dropKey(p.drainDirtyKeys()[0]!);
    expect(p.pendingPromotions).toBe(0);
    expect(durations(run(p, ends)).filter((d) => d !== null)).toEqual([]);
  });
});

describe('mttr state across a rebalance (open incidents move with their key)', () => {
  const input = inputOf('mttr', facts);
  const cut = cutAt(input, T0 + 32 * MIN);
  const breachAt = T0 + 35 * MIN + 2; // the incident started at 5 min + 1 ms; open longer than 30 min from here
  const prodAt = (out: Fact[], at: number) =>
    (out as FactOf<'mttr'>[]).find((f) => f.kind === 'mttr' && f.at === at)?.snapshots.find((x) => x.scope === 'prod' && x.window === '1h');

  it('the member that lost the key neither keeps the incident open nor fires its breach', () => {
    const p = new MttrProcessor(defaultProcessingOptions);
    run(p, input.slice(0, cut));
    const before = p.openIncidents;
    p.dropKey('prod/catalog'); // revoked: prod/catalog now belongs to another member
    expect(p.openIncidents).toBe(before - 1);
    const out = run(p, input.slice(cut));
    expect(prodAt(out, breachAt)).toBeUndefined(); // no breach snapshot at 35 min
    for (const f of out as FactOf<'mttr'>[]) for (const x of f.snapshots.filter((y) => y.scope === 'prod')) expect(x.openIncidents).toBe(0);
  });

  it('the member that gets the key takes the incident with its breach timer, and resolves it', () => {
    const p = new MttrProcessor(defaultProcessingOptions);
    run(p, input.slice(0, cut));
    const moved = JSON.parse(JSON.stringify(p.snapshotKey('prod/catalog')));
    const q = new MttrProcessor(defaultProcessingOptions); // the new owner: none of the old one's whole state
    q.restoreKey('prod/catalog', moved);
    const out = run(q, input.slice(cut));
    expect(prodAt(out, breachAt)).toMatchObject({ openIncidents: 1, oldestOpenMs: 30 * MIN + 1 });
    expect(q.openIncidents).toBe(0);
    expect(q.snapshotKey('prod/catalog')).toBeUndefined();
    expect(q.drainDirtyKeys()).toContain('prod/catalog'); // its changelog record becomes a tombstone
  });
});

describe('alerting state', () => {
  const input = inputOf('alerting', facts);

  it('keyed alerts: the changelog always equals the current state of every key', () => {
    expect(expectChangelogInSync(alerting()() as AlertingProcessor, input)).toBeGreaterThan(input.length / 2);
  });

  it('splits instances: keyed alerts under their key, per-env alerts in the whole state', () => {
    const p = alerting()() as AlertingProcessor;
    run(p, input.slice(0, cutAt(input, T0 + 32 * MIN)));
    // Firing at 32 min: drift_detected prod/catalog; snapshot_not_verified, drift_detected and rollback_failed
    // staging/web (per key); index_error_rate_high prod (per env).
    expect(p.snapshotKey('prod/catalog')?.instances.map((i) => [i.rule, i.level])).toEqual([['drift_detected', 3]]);
    expect(p.snapshotKey('prod/catalog')?.rules).toEqual({ drift_detected: { raisedBy: [[expect.stringMatching(/^inc-/), { env: 'prod', artifact: 'catalog' }]] } });
    expect(p.snapshotKey('staging/web')?.instances.map((i) => i.rule).sort()).toEqual(['drift_detected', 'rollback_failed', 'snapshot_not_verified']);
    expect(p.snapshotKey('prod/search')).toBeUndefined();
    const wholeState = p.snapshot();
    expect(wholeState.instances.map((i) => [i.rule, i.labels])).toEqual([['index_error_rate_high', { env: 'prod' }]]);
    expect(Object.keys(wholeState.rules).sort()).toEqual(['gate_failure_rate_high', 'index_error_rate_high', 'promotion_duration_high', 'promotion_success_rate_low']);
  });

  it('a restored alert re-emits nothing, escalates on time and resolves once', () => {
    const cut = cutAt(input, T0 + 32 * MIN);
    const out = runWithRestart(alerting(), input, cut).filter((f): f is FactOf<'alert'> => f.kind === 'alert' && f.at >= input[cut]!.at);
    const catalog = out.filter((f) => f.alert.rule === 'drift_detected' && f.alert.labels.artifact === 'catalog');
    // Opened at 5 min + 1 ms: L4 at 30 min of age, resolved when r2 serves D1 again.
    expect(catalog.map((f) => [f.alert.status, f.alert.escalationLevel, f.at - T0])).toEqual([
      ['firing', 4, 35 * MIN + 1],
      ['resolved', 4, 45 * MIN + 1],
    ]);
  });

  it('a dropped key loses its alerts without resolving them; restored, it resolves them as usual', () => {
    const cut = cutAt(input, T0 + 32 * MIN);
    const newAlertId = alertIds();
    const p = new AlertingProcessor(defaultAlertsConfig(), undefined, { now: () => WALL, newAlertId });
    const out = run(p, input.slice(0, cut));
    const saved = JSON.parse(JSON.stringify(p.snapshotKey('prod/catalog'))) as AlertingStateSnapshot;
    const firing = p.firingCount;
    p.dropKey('prod/catalog');
    expect(p.firingCount).toBe(firing - 1);
    expect(p.snapshotKey('prod/catalog')).toBeUndefined();
    p.restoreKey('prod/catalog', saved);
    expect(p.firingCount).toBe(firing);
    out.push(...run(p, input.slice(cut)));
    expect(out).toEqual(run(alerting()(), input));
  });
});

describe('alerting state across a config change', () => {
  it('resolves the restored instances of a rule disabled since the snapshot with the next fact, and keeps the others', () => {
    const input = inputOf('alerting', facts);
    const p = alerting()() as AlertingProcessor;
    run(p, input.slice(0, input.findIndex((f) => f.at >= T0 + 32 * MIN)));
    const config = defaultAlertsConfig();
    config.rules.snapshot_not_verified.enabled = false;
    const q = new AlertingProcessor(config, undefined, { now: () => WALL, newAlertId: alertIds() });
    q.restoreKey('staging/web', JSON.parse(JSON.stringify(p.snapshotKey('staging/web'))) as AlertingStateSnapshot);
    // Until then it is still the key's state: a commit in between keeps it for whoever restores next.
    expect(q.snapshotKey('staging/web')?.instances.map((i) => i.rule).sort()).toEqual(['drift_detected', 'rollback_failed', 'snapshot_not_verified']);
    const out = run(q, [{ kind: 'advance', at: T0 + 32 * MIN }]).filter((f): f is FactOf<'alert'> => f.kind === 'alert');
    expect(out.map((f) => [f.alert.rule, f.alert.status])).toEqual([['snapshot_not_verified', 'resolved']]);
    expect(q.snapshotKey('staging/web')?.instances.map((i) => i.rule).sort()).toEqual(['drift_detected', 'rollback_failed']);
  });
});
