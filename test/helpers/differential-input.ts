/**
 * Inputs of the differential tests (test/scenarios/differential-*.test.ts):
 * engine/demo's generated events in event-time order, and an arrival order
 * of them within the lateness bound, with exact duplicates.
 */
import { createScenario } from '../../engine/demo/scenario-generator.js';
import { Prng } from '../../engine/demo/prng.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { MINUTE } from '../../lib/time.js';

const LATENESS = defaultProcessingOptions.allowedLatenessMs;

export interface TimedLine {
  value: string;
  at: number;
}

/**
 * The scenario's events in event-time order, each once (the generator's own jitter, duplicates and garbage off);
 * `roundMs`: event times rounded down to a multiple of it.
 */
export function sortedEvents(seed: number, roundMs = 1): TimedLine[] {
  const gen = createScenario({ seed, keys: 8, spanMs: 80 * MINUTE, jitterMs: 0, duplicateRate: 0, malformedRate: 0 });
  const events = [...gen].map((r) => {
    const at = Math.floor(r.at / roundMs) * roundMs;
    return { value: roundMs === 1 ? r.value : JSON.stringify({ ...(JSON.parse(r.value) as object), occurredAt: new Date(at).toISOString() }), at };
  });
  return events.sort((a, b) => a.at - b.at);
}

/**
 * Arrival order within the lateness bound, with exact duplicates arriving up to `duplicateDelayMs` (default
 * 10 min) after the first copy.
 */
export function outOfOrder(events: readonly TimedLine[], seed: number, duplicateDelayMs = 10 * MINUTE): { lines: string[]; duplicates: number } {
  const rng = new Prng(seed * 104_729 + 7);
  const arrivals: Array<{ value: string; arrival: number; seq: number }> = [];
  let duplicates = 0;
  let seq = 0;
  for (const e of events) {
    // Up to 2 × lateness behind its own time, so at most that far behind the newest event seen: not late (§4.7).
    const delay = rng.chance(0.05) ? 2 * LATENESS : rng.range(0, 2 * LATENESS);
    arrivals.push({ value: e.value, arrival: e.at + delay, seq: seq++ });
    if (rng.chance(0.05)) {
      arrivals.push({ value: e.value, arrival: e.at + delay + rng.range(0, duplicateDelayMs), seq: seq++ });
      duplicates++;
    }
  }
  arrivals.sort((a, b) => a.arrival - b.arrival || a.seq - b.seq);
  return { lines: arrivals.map((a) => a.value), duplicates };
}

/**
 * `lines` (an arrival order within the lateness bound, `outOfOrder`) with late events (SPEC §4.7): `rate` of them
 * (default 1 in 100) moved 400–1 200 lines further on (minutes of event time: behind the frontier when it comes), and, at a seeded
 * line `flapAt`, three snapshots of one promotion stamped 10 min before the event there — unverified, verified,
 * unverified, arriving one after the other, so the frontier does not move between them: late, judged at that one
 * frontier, snapshot_not_verified fires, resolves and fires again at one instant, the second instance's ids told
 * from the first's only by its per-instant ordinal (alert-id.ts). `flapAt` is where the first of them is.
 */
export function withLateEvents(lines: readonly string[], seed: number, rate = 0.01): { lines: string[]; flapAt: number } {
  const rng = new Prng(seed * 7919 + 3);
  const out: Array<{ value: string; pos: number }> = lines.map((value, i) => ({ value, pos: rng.chance(rate) ? i + rng.int(400, 1200) + 0.5 : i }));
  out.sort((a, b) => a.pos - b.pos);
  const flapAt = rng.int(Math.floor(out.length / 3), Math.floor((2 * out.length) / 3));
  const { occurredAt } = JSON.parse(out[flapAt]!.value) as { occurredAt: string };
  const stamp = new Date(Date.parse(occurredAt) - 10 * MINUTE).toISOString();
  const snapshot = (n: number, verified: boolean) =>
    JSON.stringify({ type: 'promotion', eventId: `flap-${n}`, occurredAt: stamp, env: 'prod', artifact: 'flap', promotionId: 'flap-p', phase: 'snapshot', snapshot: { snapshotId: `flap-s${n}`, verified } });
  const values = out.map((o) => o.value);
  values.splice(flapAt, 0, snapshot(1, false), snapshot(2, true), snapshot(3, false));
  return { lines: values, flapAt };
}

/**
 * `lines` with `count` unreadable or invalid lines put in at seeded places (SPEC §3: each to the DLQ, never
 * stopping the pipeline, never silently dropped); `at`: their 1-based line numbers in the result.
 */
export function withGarbage(lines: readonly string[], seed: number, count = 24): { lines: string[]; at: number[] } {
  const rng = new Prng(seed * 31 + 11);
  const kinds = [
    (n: number) => `{"type":"index","eventId":"garbage-${n}"`, // cut short
    () => '',
    (n: number) => JSON.stringify({ type: 'index', eventId: `garbage-${n}`, env: 'prod' }), // required fields missing
    (n: number) => JSON.stringify({ type: 'hydration', eventId: `garbage-${n}`, occurredAt: 'yesterday', env: 'prod', artifact: 'cart' }),
    (n: number) => JSON.stringify({ type: 'audit', eventId: `garbage-${n}`, occurredAt: '2026-11-27T12:00:00.000Z', env: 'prod', artifact: 'cart' }),
  ];
  const out = [...lines];
  const places = Array.from({ length: count }, () => rng.int(0, lines.length)).sort((a, b) => b - a);
  places.forEach((p, n) => out.splice(p, 0, kinds[n % kinds.length]!(n)));
  // Inserted from the end, so each later insertion is before the earlier ones: their final places, ascending.
  const at = places.map((p, n) => p + (count - n)).reverse();
  return { lines: out, at };
}
