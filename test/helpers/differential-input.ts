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
