import { describe, expect, it } from 'vitest';
import type { AlertsConfig } from '../../../config/alert-rules.js';
import type { Fact } from '../../../processors/facts.js';
import { alertEventSchema } from '../../../schemas/alert-event.js';
import {
  MIN,
  SEC,
  T0,
  advance,
  brief,
  envRow,
  gate,
  incidentFact,
  iso,
  makeProcessor,
  mttrFact,
  only,
  promotionRow,
  snapshotEvent,
  stateIncident,
} from './helpers.js';

describe('mttr_breach', () => {
  const isolate = (c: AlertsConfig) => {
    only('mttr_breach')(c);
    c.escalation = [c.escalation[0]!];
  };

  it('fires when an open incident has been open longer than 30 min and stays while the rolling mean is above 30 min', () => {
    const { run } = makeProcessor(isolate);
    expect(run(mttrFact(T0 + 30 * MIN - 1, 'prod', { openIncidents: 1, oldestOpenMs: 30 * MIN - 1 }))).toEqual([]);
    expect(run(mttrFact(T0 + 30 * MIN, 'prod', { openIncidents: 1, oldestOpenMs: 30 * MIN }))).toEqual([]); // 30 min is not longer than 30 min
    const fired = run(mttrFact(T0 + 30 * MIN + 1, 'prod', { openIncidents: 1, oldestOpenMs: 30 * MIN + 1 }));
    expect(brief(fired)).toEqual([['mttr_breach', 'firing', 1, 'high', 30 * MIN + 1]]);
    expect(fired[0]!.alert).toMatchObject({ labels: { env: 'prod' }, startsAt: iso(T0 + 30 * MIN + 1) });
    expect(fired[0]!.alert.annotations.summary).toBe('MTTR breach in prod: a drift incident has been open for just over 30m (target < 30m)');
    // The incident resolved after 34 min: the 1h mean is 34m, still a breach.
    expect(run(mttrFact(T0 + 34 * MIN, 'prod', { resolvedCount: 1, meanMs: 34 * MIN }))).toEqual([]);
    // A mean of exactly 30m is not above the threshold.
    expect(brief(run(mttrFact(T0 + 40 * MIN, 'prod', { resolvedCount: 2, meanMs: 30 * MIN })))).toEqual([
      ['mttr_breach', 'resolved', 1, 'high', 40 * MIN],
    ]);
  });

  it('fires on the mean alone; ignores the overall scope and other windows', () => {
    const { run } = makeProcessor(isolate);
    const other: Fact = {
      kind: 'mttr',
      at: T0,
      snapshots: [
        { asOf: T0, scope: '*', window: '1h', resolvedCount: 1, meanMs: 60 * MIN, p50Ms: null, p90Ms: null, openIncidents: 0, oldestOpenMs: null },
        { asOf: T0, scope: 'qa', window: '24h', resolvedCount: 1, meanMs: 60 * MIN, p50Ms: null, p90Ms: null, openIncidents: 0, oldestOpenMs: null },
      ],
    };
    expect(run(other)).toEqual([]);
    const out = run(mttrFact(T0 + MIN, 'qa', { resolvedCount: 2, meanMs: 45 * MIN }));
    expect(brief(out)).toEqual([['mttr_breach', 'firing', 1, 'high', MIN]]);
    expect(out[0]!.alert.annotations.summary).toBe('MTTR breach in qa: rolling 1h MTTR is 45m (target < 30m)');
  });

  it('starts when the incident passed 30 min, so a late snapshot escalates directly', () => {
    const { run } = makeProcessor(only('mttr_breach'));
    const out = run(mttrFact(T0 + 40 * MIN, 'prod', { openIncidents: 2, oldestOpenMs: 40 * MIN }));
    expect(brief(out)).toEqual([['mttr_breach', 'firing', 2, 'high', 40 * MIN]]);
    expect(out[0]!.alert.startsAt).toBe(iso(T0 + 30 * MIN + 1)); // open since T0, longer than 30 min from T0+30m+1ms: 10 min old
  });
});

describe('snapshot_not_verified', () => {
  it('fires on an unverified snapshot and resolves at the next verified one of the same env and artifact', () => {
    const { run } = makeProcessor(only('snapshot_not_verified'));
    const fired = run(snapshotEvent(T0, false, 'snap-1'));
    expect(brief(fired)).toEqual([['snapshot_not_verified', 'firing', 1, 'high', 0]]);
    expect(fired[0]!.alert).toMatchObject({ labels: { env: 'prod', artifact: 'web' }, correlationId: 'corr-snap' });
    expect(fired[0]!.alert.annotations.summary).toBe('Snapshot snap-1 of web in prod is not verified');
    expect(run(snapshotEvent(T0 + MIN, false, 'snap-2'), snapshotEvent(T0 + 90 * SEC, true, 'snap-x', 'prod', 'api'))).toEqual([]);
    // A late verified snapshot older than the unverified one that fires (snap-2, T0 + 1 min) resolves nothing.
    const late = { ...snapshotEvent(T0 + 30 * SEC, true, 'snap-0'), kind: 'late', at: T0 + 2 * MIN, frontier: T0 + 2 * MIN } as Fact;
    expect(run(late)).toEqual([]);
    const resolved = run(snapshotEvent(T0 + 3 * MIN, true, 'snap-3'));
    expect(brief(resolved)).toEqual([['snapshot_not_verified', 'resolved', 1, 'high', 3 * MIN]]);
    expect(resolved[0]!.alert.endsAt).toBe(iso(T0 + 3 * MIN));
    expect(run(snapshotEvent(T0 + 4 * MIN, true, 'snap-4'))).toEqual([]);
  });

  it('late snapshots are judged from the frontier by the newest report: an unverified one fires, an older one decides nothing', () => {
    const { run } = makeProcessor(only('snapshot_not_verified'));
    const lateAt = (fact: Fact, frontier: number): Fact => ({ ...fact, kind: 'late', at: frontier, frontier }) as Fact;
    // Unverified, reported at T0, learnt late at T0 + 2 min: fires from then (not lost, and not older than it was known).
    const fired = run(lateAt(snapshotEvent(T0, false, 'snap-1'), T0 + 2 * MIN));
    expect(brief(fired)).toEqual([['snapshot_not_verified', 'firing', 1, 'high', 2 * MIN]]);
    expect(fired[0]!.alert.startsAt).toBe(iso(T0 + 2 * MIN));
    // A late verified one reported before it (T0 − 1 min) changes nothing; one reported after it (T0 + 1 min) resolves.
    expect(run(lateAt(snapshotEvent(T0 - MIN, true, 'snap-0'), T0 + 3 * MIN))).toEqual([]);
    expect(brief(run(lateAt(snapshotEvent(T0 + MIN, true, 'snap-2'), T0 + 4 * MIN)))).toEqual([['snapshot_not_verified', 'resolved', 1, 'high', 4 * MIN]]);
    // An unverified one from before that verified snapshot, learnt later still, is no alert.
    expect(run(lateAt(snapshotEvent(T0 + 30 * SEC, false, 'snap-1b'), T0 + 5 * MIN))).toEqual([]);
  });

  const DAY = 24 * 60 * MIN;
  const expired = (out: ReturnType<ReturnType<typeof makeProcessor>['run']>) =>
    out.filter((o) => o.alert.status === 'resolved').map((o) => [o.alert.endsAt, o.alert.annotations.description.endsWith('the last one was not verified.')]);

  it('resolves `window` (24h) after the key last reported a snapshot, an unverified one moving that on; a restore re-arms it', () => {
    const { run, processor } = makeProcessor(only('snapshot_not_verified'));
    run(snapshotEvent(T0, false, 'snap-1'), snapshotEvent(T0 + 10 * MIN, false, 'snap-1', 'prod', 'api'));
    run(snapshotEvent(T0 + 2 * 60 * MIN, false, 'snap-2')); // prod/web: its end moves to T0 + 2h + 1d
    const saved = JSON.parse(JSON.stringify(processor.snapshotKey('prod/web'))) as ReturnType<typeof processor.snapshotKey>;
    // Its end is `window` after the newest snapshot: nothing more in the record than the previous release wrote.
    expect(saved!.rules.snapshot_not_verified).toEqual({ newestAt: T0 + 2 * 60 * MIN });
    // prod/api at T0 + 10m + 1d; prod/web not before T0 + 2h + 1d.
    expect(expired(run(advance(T0 + DAY + 60 * MIN)))).toEqual([[iso(T0 + 10 * MIN + DAY), true]]);
    expect(expired(run(advance(T0 + 2 * 60 * MIN + DAY)))).toEqual([]); // strictly before the fact's time
    expect(expired(run(advance(T0 + 2 * 60 * MIN + DAY + 1)))).toEqual([[iso(T0 + 2 * 60 * MIN + DAY), true]]);
    // The same end on an instance that restored prod/web's state (live mode: another member, or a restart).
    const other = makeProcessor(only('snapshot_not_verified'));
    other.processor.restoreKey('prod/web', saved!);
    expect(expired(other.run(advance(T0 + 2 * 60 * MIN + DAY + 1)))).toEqual([[iso(T0 + 2 * 60 * MIN + DAY), true]]);
    // Dropped (its partition revoked): nothing of it fires here.
    const revoked = makeProcessor(only('snapshot_not_verified'));
    revoked.processor.restoreKey('prod/web', saved!);
    revoked.processor.dropKey('prod/web');
    expect(revoked.run(advance(Number.POSITIVE_INFINITY))).toEqual([]);
  });

  it('a late unverified snapshot ends `window` after it was learnt; its record says so, and a restore keeps it', () => {
    const { run, processor } = makeProcessor(only('snapshot_not_verified'));
    run({ ...snapshotEvent(T0, false, 'snap-1'), kind: 'late', at: T0 + 5 * MIN, frontier: T0 + 5 * MIN } as Fact);
    const saved = JSON.parse(JSON.stringify(processor.snapshotKey('prod/web'))) as ReturnType<typeof processor.snapshotKey>;
    expect(saved!.rules.snapshot_not_verified).toEqual({ newestAt: T0, expiresAt: T0 + 5 * MIN + DAY });
    const other = makeProcessor(only('snapshot_not_verified'));
    other.processor.restoreKey('prod/web', saved!);
    expect(expired(other.run(advance(T0 + DAY + 1)))).toEqual([]);
    expect(expired(other.run(advance(T0 + 5 * MIN + DAY + 1)))).toEqual([[iso(T0 + 5 * MIN + DAY), true]]);
    // Resolved and past its window: the key is no longer measured, and nothing of it is kept.
    expect(other.processor.snapshotKey('prod/web')).toBeUndefined();
  });

  it('forgets a key `window` after its newest snapshot, so its state is bounded by the keys still reporting', () => {
    const { run, processor } = makeProcessor(only('snapshot_not_verified'));
    // 500 keys that each reported a verified snapshot once, and one still reporting (prod/live).
    for (let i = 0; i < 500; i++) run(snapshotEvent(T0 + i, true, 'snap', 'prod', `app-${i}`));
    expect(processor.snapshotKey('prod/app-0')!.rules.snapshot_not_verified).toEqual({ newestAt: T0 });
    run(snapshotEvent(T0 + DAY, true, 'snap-live', 'prod', 'live'));
    processor.drainDirtyKeys();
    run(advance(T0 + DAY + 500));
    expect(processor.drainDirtyKeys()).toHaveLength(500); // their changelog records go too
    const kept = Array.from({ length: 500 }, (_, i) => processor.snapshotKey(`prod/app-${i}`)).filter((s) => s !== undefined);
    expect(kept).toEqual([]);
    expect(processor.snapshotKey('prod/live')!.rules.snapshot_not_verified).toEqual({ newestAt: T0 + DAY });
    // A late unverified snapshot older than the forgotten one is still no alert (older than `window` when learnt:
    // the key is no longer measured); one within `window` of the frontier is judged as ever.
    const lateAt = (fact: Fact, frontier: number): Fact => ({ ...fact, kind: 'late', at: frontier, frontier }) as Fact;
    expect(run(lateAt(snapshotEvent(T0 - MIN, false, 'old', 'prod', 'app-0'), T0 + DAY + 600))).toEqual([]);
    expect(brief(run(lateAt(snapshotEvent(T0 + DAY + 550, false, 'new', 'prod', 'app-1'), T0 + DAY + 600)))).toEqual([['snapshot_not_verified', 'firing', 1, 'high', DAY + 600]]);
  });
});

describe('disabled rules', () => {
  const everything: Fact[] = [
    incidentFact(T0, 'opened', stateIncident({ env: 'prod', desiredFrom: 'rollback' })),
    incidentFact(T0, 'opened', stateIncident({ incidentId: 'd-1', kind: 'determinism', ruleId: 'r' })),
    snapshotEvent(T0 + SEC, false),
    promotionRow(T0 + 5 * MIN, { failed: 20, durationCount: 20, durationSumMs: 200 * MIN, gates: [gate('g', 0, 20)] }),
    envRow(T0 + 5 * MIN, 100, 100),
    mttrFact(T0 + 30 * MIN + 1, 'prod', { openIncidents: 1, oldestOpenMs: 30 * MIN + 1 }),
    advance(Number.POSITIVE_INFINITY),
  ];

  it('every rule fires on the mixed scenario when enabled', () => {
    const { run } = makeProcessor();
    const out = run(...everything);
    for (const { alert } of out) expect(alertEventSchema.check(alert, '')).toBeUndefined();
    const rules = new Set(out.map((o) => o.alert.rule));
    expect([...rules].sort()).toEqual([
      'drift_detected',
      'gate_failure_rate_high',
      'hydration_nondeterminism',
      'index_error_rate_high',
      'mttr_breach',
      'promotion_duration_high',
      'promotion_success_rate_low',
      'rollback_failed',
      'snapshot_not_verified',
    ]);
  });

  it('a disabled rule emits nothing; all disabled, nothing at all', () => {
    const { run } = makeProcessor((c) => {
      c.rules.drift_detected.enabled = false;
    });
    expect(run(...everything).some((o) => o.alert.rule === 'drift_detected')).toBe(false);
    const { run: runNone, processor } = makeProcessor(only());
    expect(runNone(...everything)).toEqual([]);
    expect(processor.firingCount).toBe(0);
  });

  it('every firing instance escalates until its condition ends: rate alerts resolve once their window is empty, snapshot_not_verified a day after its snapshot, the rest reach level 4 and stop', () => {
    const { run } = makeProcessor();
    const out = run(...everything);
    const byRule = new Map<string, Array<[string, number, number]>>();
    for (const { at, alert } of out) byRule.set(alert.rule, [...(byRule.get(alert.rule) ?? []), [alert.status, alert.escalationLevel, (at - T0) / MIN]]);
    const escalated = (start: number, ...steps: Array<[string, number, number]>) => [
      ['firing', 1, start],
      ['firing', 2, start + 5],
      ['firing', 3, start + 15],
      ['firing', 4, start + 30],
      ...steps,
    ];
    for (const rule of ['drift_detected', 'rollback_failed', 'hydration_nondeterminism']) expect(byRule.get(rule)).toEqual(escalated(0));
    // The only index-op window (5-minute rule window) ends at 5m and leaves the window at 10m.
    expect(byRule.get('index_error_rate_high')).toEqual([['firing', 1, 5], ['resolved', 1, 10]]);
    // The promotion row of 5m leaves the rolling hour at 65m, after the alerts reached level 4.
    for (const rule of ['promotion_success_rate_low', 'promotion_duration_high', 'gate_failure_rate_high']) {
      expect(byRule.get(rule)).toEqual(escalated(5, ['resolved', 4, 65]));
    }
    // Its snapshot (at 1 s) is the key's last: no longer measured a day (its window) after it.
    expect(byRule.get('snapshot_not_verified')).toEqual(escalated(1 / 60, ['resolved', 4, 24 * 60 + 1 / 60]));
    expect(byRule.get('mttr_breach')!.map(([status, level]) => [status, level])).toEqual([['firing', 1], ['firing', 2], ['firing', 3], ['firing', 4]]);
    expect(new Set(out.map((o) => o.alert.alertId)).size).toBe(out.length);
  });
});
