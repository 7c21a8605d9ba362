/**
 * A producer whose clock is fast, within DRIFTWATCH_MAX_FUTURE_SKEW (2 min
 * ahead of a 5 min bound), sharing the event time of honest producers. Its
 * events used to carry the watermark 2 min past real time, so every honest
 * event arrived behind it: late, its windows closed, its incidents missed.
 * With the bound on, an event contributes at most the instance's wall clock
 * at arrival to the watermark: the fast events are processed at their own
 * occurredAt once event time gets there, and the honest ones stay on time.
 * With the bound off (replaying data dated ahead on purpose) nothing changes.
 *
 * The pipeline on a virtual wall clock: each record arrives at the clock's
 * reading, which moves on by 15 s between arrivals.
 */
import { describe, expect, it } from 'vitest';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { Fact, Incident } from '../../../processors/facts.js';
import { indexOp, promotion, T0 } from './events.js';

const MIN = 60_000;
const STEP = 15_000;
const FAST_BY = 2 * MIN;

interface Arrival {
  /** Wall-clock time of arrival (ms after T0); the honest producer dates its event so. */
  wall: number;
  /** The event, given its occurredAt. */
  event: (at: number) => Record<string, unknown>;
  /** Sent by the producer with the fast clock. */
  fast?: boolean;
}

/**
 * Two keys on one event time: prod/api, read by an honest index replica that
 * serves a wrong digest from 4 min to 6 min; prod/web, read by a replica whose
 * host clock is `FAST_BY` ahead, serving a wrong digest from 7 min to 8 min.
 */
function arrivals(): Arrival[] {
  const out: Arrival[] = [
    { wall: 0, event: (at) => promotion('p-api', at, { artifact: 'api', phase: 'succeeded', digest: 'sha256:aaa' }) },
    { wall: 0, event: (at) => promotion('p-web', at, { artifact: 'web', phase: 'succeeded', digest: 'sha256:aaa' }) },
  ];
  for (let wall = STEP; wall <= 12 * MIN; wall += STEP) {
    const apiDigest = wall >= 4 * MIN && wall < 6 * MIN ? 'sha256:zzz' : 'sha256:aaa';
    const webDigest = wall >= 7 * MIN && wall < 8 * MIN ? 'sha256:yyy' : 'sha256:aaa';
    out.push({ wall, event: (at) => indexOp(`api-${wall}`, at, { artifact: 'api', instance: 'honest', servedDigest: apiDigest }) });
    out.push({ wall, fast: true, event: (at) => indexOp(`web-${wall}`, at, { artifact: 'web', instance: 'fast', servedDigest: webDigest }) });
  }
  return out;
}

async function run(fastBy: number, maxFutureSkewMs = defaultProcessingOptions.maxFutureSkewMs) {
  const clock = { now: T0 };
  const facts: Fact[] = [];
  const pipeline = createPipeline({
    processing: { ...defaultProcessingOptions, maxFutureSkewMs },
    alerts: defaultAlertsConfig(),
    writer: null,
    now: () => clock.now,
    onFact: (fact) => facts.push(fact),
  });
  for (const a of arrivals()) {
    clock.now = T0 + a.wall;
    pipeline.push({ value: JSON.stringify(a.event(clock.now + (a.fast ? fastBy : 0))) });
  }
  await pipeline.end();
  const incidents = (artifact: string) =>
    facts.flatMap((f) => (f.kind === 'incident' && f.change === 'resolved' && f.incident.artifact === artifact ? [span(f.incident)] : []));
  const windows = (artifact: string) =>
    facts.flatMap((f) => (f.kind === 'drift-window' && f.row.artifact === artifact ? [f.row] : []));
  const lateIds = facts.flatMap((f) => (f.kind === 'late' ? [f.envelope.event.eventId] : []));
  return { counters: pipeline.counters, lateIds, incidents, windows, dlq: pipeline.counters.deadLetters };
}

const span = (i: Incident) => ({ startedAt: i.startedAt - T0, resolvedAt: (i.resolvedAt ?? NaN) - T0, divergentDigests: i.divergentDigests });

describe('a producer whose clock is fast, within the future-skew bound', () => {
  it('does not make the honest events late: their incidents and windows are those of a run with its clock right', async () => {
    const right = await run(0);
    const fast = await run(FAST_BY);
    expect(right.counters.late).toBe(0);
    expect(fast.dlq).toBe(0);
    expect(fast.lateIds).toEqual([]);
    expect(fast.incidents('api')).toEqual(right.incidents('api'));
    expect(fast.incidents('api')).toEqual([{ startedAt: 4 * MIN, resolvedAt: 6 * MIN, divergentDigests: ['sha256:zzz'] }]);
    expect(fast.windows('api')).toEqual(right.windows('api'));
  });

  it('processes the fast events at their own occurredAt, none late: its incident is the right one, dated by its clock', async () => {
    const right = await run(0);
    const fast = await run(FAST_BY);
    expect(fast.counters.events).toBe(right.counters.events);
    expect(right.incidents('web')).toEqual([{ startedAt: 7 * MIN, resolvedAt: 8 * MIN, divergentDigests: ['sha256:yyy'] }]);
    expect(fast.incidents('web')).toEqual([{ startedAt: 7 * MIN + FAST_BY, resolvedAt: 8 * MIN + FAST_BY, divergentDigests: ['sha256:yyy'] }]);
    const observations = (r: typeof right) => r.windows('web').reduce((n, w) => n + w.observations, 0);
    expect(observations(fast)).toBe(observations(right));
  });

  it('with DRIFTWATCH_MAX_FUTURE_SKEW=off, the newest event time leads the watermark as before (the honest events after it are late)', async () => {
    const off = await run(FAST_BY, Number.POSITIVE_INFINITY);
    expect(off.dlq).toBe(0);
    expect(off.lateIds.length).toBeGreaterThan(0);
    expect(off.lateIds.every((id) => id.startsWith('api-'))).toBe(true);
    expect(off.incidents('api')).not.toEqual((await run(0)).incidents('api'));
  });
});
