import { describe, it, expect } from 'vitest';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import { stableId } from '../../../lib/ids.js';
import { advance, classify, hydration, incidents, index, late, observations, options, promoted, promotion, SEC, t } from './builders.js';

const run = (facts: Fact[]) => runProcessor(new StateDriftProcessor(options, classify), facts);
const incId = (startedAt: number) => stableId('inc', 'state', 'prod', 'catalog', startedAt);

describe('StateDriftProcessor', () => {
  it('a replica lagging after a promotion but converging within the grace period raises no incident', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(10), { instance: 'r1', servedDigest: 'D1' }),
      ...promoted(t(600), 'p2', 'D2'),
      index(t(650), { instance: 'r1', servedDigest: 'D1' }), // lagging, within 120 s grace
      index(t(700), { instance: 'r1', servedDigest: 'D2' }),
      advance(Number.POSITIVE_INFINITY),
    ]);
    expect(incidents(out)).toEqual([]);
    expect(observations(out).map((o) => [o.at, o.observation.managed, o.observation.divergent])).toEqual([
      [t(10), true, false],
      [t(650), true, false],
      [t(700), true, false],
    ]);
  });

  it('a replica still lagging when the grace ends drifts exactly at since + grace (timer), and resolves converged', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(60), { instance: 'r1', servedDigest: 'D1', correlationId: 'c-r1' }),
      ...promoted(t(600), 'p2', 'D2'),
      index(t(650), { instance: 'r1', servedDigest: 'D1', correlationId: 'c-lag' }),
      index(t(800), { instance: 'r2', servedDigest: 'D2' }), // moves time past 720: the timer fires first
      index(t(900), { instance: 'r1', servedDigest: 'D2' }),
    ]);
    const inc = incidents(out);
    expect(inc).toHaveLength(2);
    expect(inc[0]).toEqual({
      change: 'opened',
      at: t(720),
      incident: {
        incidentId: incId(t(720)),
        kind: 'state',
        env: 'prod',
        artifact: 'catalog',
        severity: 'high',
        startedAt: t(720),
        detectedAt: t(720),
        resolvedAt: null,
        expectedDigest: 'D2',
        divergentDigests: ['D1'],
        correlationId: 'c-lag',
        desiredFrom: 'promotion',
        // Alert context: r1 is the divergent source (r2 has not reported yet at 720); p2 set D2.
        divergentSources: [{ sourceId: 'index:r1', digest: 'D1' }],
        divergentSourceCount: 1,
        sourceCount: 1,
        desiredPromotionId: 'p2',
      },
    });
    expect(inc[1]).toMatchObject({ change: 'resolved', at: t(900), incident: { incidentId: incId(t(720)), resolvedAt: t(900), reason: 'converged', recoveryMs: 180_000 } });
    // the opening comes before the observation at 800 that moved time past the grace end
    expect(out.findIndex((f) => f.kind === 'incident')).toBeLessThan(out.findIndex((f) => f.at === t(800)));
  });

  it('a rogue version is an incident at once: startedAt = detectedAt = evidence time; more rogue digests update it', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(60), { instance: 'r1', servedDigest: 'D1' }),
      hydration(t(300), { instance: 'h1', inputDigest: 'DX', correlationId: 'c-rogue' }),
      index(t(310), { instance: 'r2', servedDigest: 'DY' }),
      hydration(t(320), { instance: 'h1', inputDigest: 'D1' }), // r2 still divergent: nothing changes
      index(t(330), { instance: 'r2', servedDigest: 'D1' }),
    ]);
    const obs = observations(out);
    expect(obs.find((o) => o.at === t(300))).toMatchObject({
      correlationId: 'c-rogue',
      observation: { key: 'prod/catalog', sourceId: 'hydration:h1', digest: 'DX', managed: true, divergent: true },
    });
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(300)], ['updated', t(310)], ['resolved', t(330)]]);
    expect(inc[0]!.incident).toMatchObject({ startedAt: t(300), detectedAt: t(300), correlationId: 'c-rogue', divergentDigests: ['DX'], expectedDigest: 'D1' });
    expect(inc[0]!.incident.detectedAt - inc[0]!.incident.startedAt).toBe(0);
    expect(inc[1]!.incident.divergentDigests).toEqual(['DX', 'DY']);
    expect(inc[2]!.incident).toMatchObject({ reason: 'converged', recoveryMs: 30_000, divergentDigests: ['DX', 'DY'] });
  });

  it('an in-flight digest is acceptable; a failed promotion whose canary sticks drifts at failure + grace', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(10), { instance: 'r1', servedDigest: 'D1' }),
      promotion(t(100), { promotionId: 'p2', phase: 'started', version: 'v2', digest: 'D2' }),
      index(t(150), { instance: 'canary', servedDigest: 'D2' }),
      promotion(t(200), { promotionId: 'p2', phase: 'failed' }),
      index(t(250), { instance: 'canary', servedDigest: 'D2' }),
      advance(t(400)),
      index(t(500), { instance: 'canary', servedDigest: 'D1' }),
    ]);
    expect(observations(out).map((o) => o.observation.divergent)).toEqual([false, false, false, false]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(320)], ['resolved', t(500)]]);
    expect(inc[0]!.incident).toMatchObject({ expectedDigest: 'D1', divergentDigests: ['D2'], desiredFrom: 'promotion' });
    expect(inc[1]!.incident).toMatchObject({ reason: 'converged', recoveryMs: 180_000 });
  });

  it('rollback: desired becomes rollbackTo; sources on the bad digest drift once the grace ends', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      ...promoted(t(100), 'p2', 'D2'),
      index(t(150), { instance: 'r1', servedDigest: 'D2' }),
      index(t(160), { instance: 'r2', servedDigest: 'D2' }),
      promotion(t(300), { promotionId: 'p2', phase: 'rolled_back', rollbackTo: { version: 'v1', digest: 'D1' } }),
      index(t(400), { instance: 'r1', servedDigest: 'D1' }), // r2 still on D2
      advance(t(420)),
      index(t(440), { instance: 'r2', servedDigest: 'D1' }),
    ]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(420)], ['resolved', t(440)]]);
    expect(inc[0]!.incident).toMatchObject({ expectedDigest: 'D1', divergentDigests: ['D2'], desiredFrom: 'rollback' });
    expect(inc[1]!.incident).toMatchObject({ reason: 'converged', recoveryMs: 20_000 });
  });

  it('rollback of a promotion that never succeeded still gives its canary the grace period', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      promotion(t(100), { promotionId: 'p2', phase: 'started', version: 'v2', digest: 'D2' }),
      index(t(150), { instance: 'canary', servedDigest: 'D2' }),
      promotion(t(200), { promotionId: 'p2', phase: 'rolled_back', rollbackTo: { version: 'v1', digest: 'D1' } }),
      advance(t(1000)),
    ]);
    expect(incidents(out).map((i) => [i.change, i.at])).toEqual([['opened', t(320)]]);
  });

  it('a promotion that makes the divergent digest acceptable resolves the incident as promoted', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(150), { instance: 'r1', servedDigest: 'DX' }),
      ...promoted(t(200), 'p2', 'DX'), // started DX (in flight) already makes it acceptable
      advance(Number.POSITIVE_INFINITY),
    ]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(150)], ['resolved', t(200)]]);
    expect(inc[1]!.incident).toMatchObject({ reason: 'promoted', resolvedAt: t(200), recoveryMs: 50_000 });
  });

  it('a divergent source silent for sourceTtl is forgotten: resolved as source_expired', () => {
    const p = new StateDriftProcessor(options, classify);
    const out = runProcessor(p, [
      ...promoted(t(0), 'p1', 'D1'),
      index(t(150), { instance: 'r1', servedDigest: 'DX' }),
      advance(Number.POSITIVE_INFINITY),
    ]);
    const inc = incidents(out);
    // Silent for longer than the TTL (SPEC §4.2): forgotten at the first millisecond past 900 s.
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(150)], ['resolved', t(1050) + 1]]);
    expect(inc[1]!.incident).toMatchObject({ reason: 'source_expired', recoveryMs: 900_001 });
    expect(p.snapshotKey('prod/catalog')?.sources).toEqual([]); // desired state survives, sources do not
    expect(p.snapshotKey('prod/catalog')?.desired.desired?.digest).toBe('D1');
  });

  it('a drifted source repeating its digest changes nothing, yet is judged with the rest at an instant another digest stops being acceptable', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(200), { instance: 'r1', servedDigest: 'DX' }), // rogue (past the first desired state's grace): opened
      ...promoted(t(600), 'p2', 'D2'), // D1 acceptable until 720
      index(t(650), { instance: 'r2', servedDigest: 'D1' }), // lagging within the grace
      index(t(700), { instance: 'r1', servedDigest: 'DX' }), // repeats: nothing changes
      index(t(720), { instance: 'r1', servedDigest: 'DX' }), // repeats at the grace end: D1 divergent now
      index(t(720), { instance: 'r3', servedDigest: 'D2' }),
      index(t(800), { instance: 'r1', servedDigest: 'DX' }),
      advance(Number.POSITIVE_INFINITY),
    ]);
    // The update naming D1 comes with r1's report at 720, before r3's of the same instant (not with the grace-end timer after it).
    expect(out.filter((f) => f.at === t(720)).map((f) => (f.kind === 'observation' ? f.observation.sourceId : f.kind))).toEqual(['index:r1', 'incident', 'index:r3']);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at, i.incident.divergentDigests, i.incident.expectedDigest])).toEqual([
      ['opened', t(200), ['DX'], 'D1'],
      ['updated', t(600), ['DX'], 'D2'],
      ['updated', t(720), ['D1', 'DX'], 'D2'],
      // Both drifted sources silent from their last reports: resolved when the last of them (r1, 800) has been silent for longer than the TTL.
      ['resolved', t(1700) + 1, ['D1', 'DX'], 'D2'],
    ]);
    expect(inc[3]!.incident).toMatchObject({ reason: 'source_expired' });
  });

  it('a source reporting again exactly sourceTtl after its last observation was never forgotten (silent for the TTL, not longer)', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(150), { instance: 'r1', servedDigest: 'DX' }),
      index(t(1050), { instance: 'r1', servedDigest: 'DX' }), // exactly 900 s later
      index(t(1060), { instance: 'r1', servedDigest: 'D1' }),
    ]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.at])).toEqual([['opened', t(150)], ['resolved', t(1060)]]); // one incident, not two
    expect(inc[1]!.incident).toMatchObject({ reason: 'converged' });
  });

  it('the events of an instant come before its grace end and source expiry (no 0 ms incident, no resolve-and-reopen)', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(300), { instance: 'r1', servedDigest: 'D1' }),
      ...promoted(t(600), 'p2', 'D2'), // D1 acceptable while t < 720 s
      index(t(720), { instance: 'r1', servedDigest: 'D2' }), // converges at the very instant its grace ends
      advance(t(720)), // the frontier at the instant itself: events of 720 s may still follow
      index(t(730), { instance: 'r2', servedDigest: 'DX' }), // drifted at 730 s
      index(t(1630) + 1, { instance: 'r2', servedDigest: 'DX' }), // the instant r2 would be forgotten (silent > 900 s)
      index(t(1700), { instance: 'r2', servedDigest: 'D2' }),
      advance(Number.POSITIVE_INFINITY),
    ]);
    // Before: opened and resolved at 720 s (0 ms), then r2's incident resolved source_expired at 1630.001 s and a
    // second one opened at the same millisecond.
    expect(incidents(out).map((i) => [i.change, i.at, i.incident.reason])).toEqual([
      ['opened', t(730), undefined],
      ['resolved', t(1700), 'converged'],
    ]);
  });

  it('drifting again later is a new incident with a new id', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(150), { instance: 'r1', servedDigest: 'DX' }),
      index(t(160), { instance: 'r1', servedDigest: 'D1' }),
      index(t(170), { instance: 'r1', servedDigest: 'DX' }),
    ]);
    const inc = incidents(out);
    expect(inc.map((i) => [i.change, i.incident.incidentId])).toEqual([
      ['opened', incId(t(150))],
      ['resolved', incId(t(150))],
      ['opened', incId(t(170))],
    ]);
  });

  it('incidents starting at one instant get distinct ids (a source flipping within a millisecond), also across a restore', () => {
    const flip = (digests: string[]) => digests.map((d) => index(t(150), { instance: 'r1', servedDigest: d }));
    const p = new StateDriftProcessor(options, classify);
    const out = runProcessor(p, [...promoted(t(0), 'p1', 'D1'), ...flip(['DX', 'D1', 'DX', 'D1'])]);
    const ids = incidents(out).map((i) => [i.change, i.incident.incidentId]);
    expect(ids).toEqual([
      ['opened', incId(t(150))],
      ['resolved', incId(t(150))],
      ['opened', stableId('inc', 'state', 'prod', 'catalog', t(150), 1)],
      ['resolved', stableId('inc', 'state', 'prod', 'catalog', t(150), 1)],
    ]);
    // The count moves with the key's state: a restored key goes on numbering within the instant…
    const restored = new StateDriftProcessor(options, classify);
    restored.restoreKey('prod/catalog', p.snapshotKey('prod/catalog')!);
    const again = runProcessor(restored, flip(['DX']));
    expect(incidents(again).map((i) => i.incident.incidentId)).toEqual([stableId('inc', 'state', 'prod', 'catalog', t(150), 2)]);
    // … and forgets it once event time moved on: a later start has the plain id, and the snapshot no count.
    const later = runProcessor(restored, [index(t(160), { instance: 'r1', servedDigest: 'D1' }), index(t(170), { instance: 'r1', servedDigest: 'DX' })]);
    expect(incidents(later).map((i) => [i.change, i.incident.incidentId])).toEqual([
      ['resolved', stableId('inc', 'state', 'prod', 'catalog', t(150), 2)],
      ['opened', incId(t(170))],
    ]);
    runProcessor(restored, [index(t(180), { instance: 'r1', servedDigest: 'D1' })]);
    expect(restored.snapshotKey('prod/catalog')).not.toHaveProperty('starts');
  });

  it('an unmanaged key is observed and counted, never judged, and forgotten when its sources expire', () => {
    const p = new StateDriftProcessor(options, classify);
    const out = runProcessor(p, [
      index(t(10), { instance: 'r1', servedDigest: 'DX' }),
      hydration(t(20), { instance: 'h1', inputDigest: 'DY' }),
      promotion(t(30), { promotionId: 'p9', phase: 'gate', env: 'prod', artifact: 'other' }), // no state for a gate
      advance(Number.POSITIVE_INFINITY),
    ]);
    expect(incidents(out)).toEqual([]);
    expect(observations(out).map((o) => [o.observation.sourceId, o.observation.managed, o.observation.divergent])).toEqual([
      ['index:r1', false, false],
      ['hydration:h1', false, false],
    ]);
    expect(p.keyNames()).toEqual([]);
  });

  it('the first desired state gives the replicas already running something the grace period', () => {
    const out = run([
      index(t(0), { instance: 'r1', servedDigest: 'D0' }),
      ...promoted(t(60), 'p1', 'D1'),
      index(t(100), { instance: 'r1', servedDigest: 'D0' }),
      advance(t(200)),
    ]);
    expect(observations(out).map((o) => [o.observation.managed, o.observation.divergent])).toEqual([[false, false], [true, false]]);
    expect(incidents(out).map((i) => [i.change, i.at])).toEqual([['opened', t(180)]]);
  });

  it('error events are not observations', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(200), { instance: 'r1', servedDigest: 'DX', status: 'error' }),
      hydration(t(210), { instance: 'h1', inputDigest: 'DX', status: 'error' }),
    ]);
    expect(out).toEqual([]);
  });

  it('late facts: an observation older than its source\'s newest changes nothing; a late newer promotion still moves the desired state', () => {
    const p = new StateDriftProcessor(options, classify);
    const first = runProcessor(p, [
      ...promoted(t(0), 'p1', 'D1'),
      index(t(10), { instance: 'r1', servedDigest: 'D1' }),
      late(index(t(5), { instance: 'r1', servedDigest: 'DX' }), t(300)), // r1 reported D1 since
      late(promotion(t(-5), { promotionId: 'p0', phase: 'succeeded', version: 'v0', digest: 'D0' }), t(300)), // older than since
    ]);
    expect(observations(first)).toHaveLength(1);
    expect(p.snapshotKey('prod/catalog')?.desired.desired).toMatchObject({ digest: 'D1', since: t(0) });
    const out = runProcessor(p, [
      late(promotion(t(50), { promotionId: 'p2', phase: 'succeeded', version: 'v2', digest: 'D2' }), t(300)),
      advance(t(500)),
    ]);
    expect(p.snapshotKey('prod/catalog')?.desired.desired).toMatchObject({ digest: 'D2', since: t(50) });
    // D1 stays acceptable until the late fact's time + grace (300 + 120)
    expect(incidents(out).map((i) => [i.change, i.at, i.incident.expectedDigest, i.incident.divergentDigests])).toEqual([
      ['opened', t(420), 'D2', ['D1']],
    ]);
  });

  it('a replica whose clock runs behind (every report late) is judged from the frontier, on its newest report', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(200), { instance: 'r1', servedDigest: 'D1' }),
      // r2's clock is 100 s behind: DX reported "at" 100 s, learnt when the frontier is at 200 s — drifted from then.
      late(index(t(100), { instance: 'r2', servedDigest: 'DX' }), t(200)),
      late(index(t(90), { instance: 'r2', servedDigest: 'D1' }), t(210)), // older than r2's newest report: nothing
      late(index(t(150), { instance: 'r2', servedDigest: 'D1' }), t(260)), // back on D1: resolved, converged
      advance(t(2000)),
    ]);
    expect(incidents(out).map((i) => [i.change, i.at, i.incident.divergentDigests, i.incident.reason ?? null])).toEqual([
      ['opened', t(200), ['DX'], null],
      ['resolved', t(260), ['DX'], 'converged'],
    ]);
    // All three are of the drift window [0 s, 300 s) the frontier is still in: each is an observation there, at the
    // frontier, judged there (DX divergent, D1 not) — the one older than r2's newest report too: the window counts
    // every observation it had, whatever the source's latest.
    expect(observations(out).map((o) => [o.at, o.observation.sourceId, o.observation.digest, o.observation.divergent])).toEqual([
      [t(200), 'index:r1', 'D1', false],
      [t(200), 'index:r2', 'DX', true],
      [t(210), 'index:r2', 'D1', false],
      [t(260), 'index:r2', 'D1', false],
    ]);
  });

  it('a late observation of a closed drift window is no observation fact (closed windows stay closed), though it still updates its source', () => {
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      index(t(310), { instance: 'r1', servedDigest: 'D1' }),
      // Reported "at" 290 s, learnt at 310 s: its window [0 s, 300 s) has closed.
      late(index(t(290), { instance: 'r2', servedDigest: 'DX' }), t(310)),
      advance(t(2000)),
    ]);
    expect(observations(out).map((o) => o.observation.sourceId)).toEqual(['index:r1']);
    // Drifted from the frontier on, until r2 is forgotten (source TTL after its report, + 1 ms).
    expect(incidents(out).map((i) => [i.change, i.at])).toEqual([
      ['opened', t(310)],
      ['resolved', t(290) + options.sourceTtlMs + 1],
    ]);
  });

  it('a late report its source would already have outlived (older than the source TTL at the frontier) changes nothing', () => {
    const ttl = options.sourceTtlMs / SEC;
    const out = run([
      ...promoted(t(0), 'p1', 'D1'),
      late(index(t(200), { instance: 'r2', servedDigest: 'DX' }), t(200 + ttl) + 1),
      late(index(t(201), { instance: 'r3', servedDigest: 'DX' }), t(200 + ttl) + 1), // exactly the TTL old: still counts
      advance(t(5000)),
    ]);
    expect(incidents(out).map((i) => [i.change, i.at])).toEqual([
      ['opened', t(200 + ttl) + 1],
      ['resolved', t(201 + ttl) + 1],
    ]);
  });

  it('keeps one timer per key, not per event', () => {
    const p = new StateDriftProcessor(options, classify);
    const facts: Fact[] = [...promoted(t(0), 'p1', 'D1')];
    for (let i = 0; i < 500; i++) facts.push(index(t(1 + i), { instance: `r${i % 5}`, servedDigest: 'D1' }));
    runProcessor(p, facts);
    expect((p as unknown as { timers: { size: number } }).timers.size).toBe(1);
  });
});
