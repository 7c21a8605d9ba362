/**
 * Differential property of SPEC §4.7 and §3 (dedup) over everything the
 * engine outputs. The same generated events (engine/demo's scenario: drift of
 * every injected kind, promotions with gates, snapshots, rollbacks), run
 * through the replay pipeline
 *
 *   (a) sorted by event time, each once;
 *   (b) out of order — each arrives at occurredAt + a delay up to 2 ×
 *       allowedLateness, some exactly at it: behind the newest event by at
 *       most the watermark's lateness plus the allowed lateness, so none is
 *       late by §4.7 — and with exact duplicates (same line, same eventId)
 *       arriving up to 10 min after the first copy;
 *   (c) as (b), read as live mode reads it: split over 3 partitions by key,
 *       the partitions interleaved in seeded batches, the frontier the
 *       minimum of the partitions' watermarks after each batch;
 *   (d) as (b), restarted between two records at a seeded point: the
 *       topology's per-key and whole state through a JSON changelog into a
 *       fresh pipeline, event time resuming at the committed frontier and
 *       the records the orderer still held read again, as live mode after a
 *       crash — once with every key written at the cut, once with the
 *       dirty keys written every 37 records as live mode's commits do;
 *
 * must give the same alert events (ids from a counter, so the same emissions
 * in the same order; emittedAt, the one wall-clock field, from a fixed
 * clock), the same final incidents, and the same logical rows of every store
 * table — windows, promotion outcomes, MTTR snapshots, incidents, alerts,
 * audit, raw history (without its source line, which is arrival order) — as
 * FINAL would return them.
 *
 * test/scenarios/perturbation.test.ts checks incidents and alert shapes of a
 * larger scenario through `replayFile` with garbage lines; this one checks
 * every output, byte for byte, live mode's event time and the restart.
 * The third case rounds event times to 5 s: ties across keys, types and
 * sources everywhere, which the orderer must break the same way whatever
 * the arrival order.
 */
import { describe, expect, it } from 'vitest';
import { createScenario } from '../../engine/demo/scenario-generator.js';
import { Prng } from '../../engine/demo/prng.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { MINUTE } from '../../lib/time.js';
import { alertsOf, incidentsOf, logicalStore, runLines, runPartitioned, runWithRestart, type RunResult } from '../helpers/differential-run.js';

const LATENESS = defaultProcessingOptions.allowedLatenessMs;

/**
 * The scenario's events in event-time order, each once (the generator's own jitter, duplicates and garbage off);
 * `roundMs`: event times rounded down to a multiple of it.
 */
function sortedEvents(seed: number, roundMs = 1): Array<{ value: string; at: number }> {
  const gen = createScenario({ seed, keys: 8, spanMs: 80 * MINUTE, jitterMs: 0, duplicateRate: 0, malformedRate: 0 });
  const events = [...gen].map((r) => {
    const at = Math.floor(r.at / roundMs) * roundMs;
    return { value: roundMs === 1 ? r.value : JSON.stringify({ ...(JSON.parse(r.value) as object), occurredAt: new Date(at).toISOString() }), at };
  });
  return events.sort((a, b) => a.at - b.at);
}

/** Arrival order within the lateness bound, with exact duplicates. */
function outOfOrder(events: Array<{ value: string; at: number }>, seed: number): { lines: string[]; duplicates: number } {
  const rng = new Prng(seed * 104_729 + 7);
  const arrivals: Array<{ value: string; arrival: number; seq: number }> = [];
  let duplicates = 0;
  let seq = 0;
  for (const e of events) {
    // Up to 2 × lateness behind its own time, so at most that far behind the newest event seen: not late (§4.7).
    const delay = rng.chance(0.05) ? 2 * LATENESS : rng.range(0, 2 * LATENESS);
    arrivals.push({ value: e.value, arrival: e.at + delay, seq: seq++ });
    if (rng.chance(0.05)) {
      arrivals.push({ value: e.value, arrival: e.at + delay + rng.range(0, 10 * MINUTE), seq: seq++ });
      duplicates++;
    }
  }
  arrivals.sort((a, b) => a.arrival - b.arrival || a.seq - b.seq);
  return { lines: arrivals.map((a) => a.value), duplicates };
}

describe('out-of-order, duplicated, partitioned and restarted input gives the outputs of the sorted input (seeded)', () => {
  it.each([
    { seed: 1, roundMs: 1 },
    { seed: 2, roundMs: 1 },
    { seed: 3, roundMs: 5000 },
  ])('seed $seed, event times rounded to $roundMs ms', async ({ seed, roundMs }) => {
    const events = sortedEvents(seed, roundMs);
    const sorted = await runLines(events.map((e) => e.value));
    const messy = outOfOrder(events, seed);

    // Worth comparing: thousands of events, incidents of both kinds, alerts, promotions rolled back, MTTR figures.
    expect(events.length).toBeGreaterThan(4000);
    expect(sorted.counters).toMatchObject({ events: events.length, duplicates: 0, late: 0, deadLetters: 0 });
    const expectedStore = logicalStore(sorted.facts);
    const expectedIncidents = incidentsOf(sorted.facts);
    const expectedAlerts = alertsOf(sorted.facts);
    expect(new Set(expectedIncidents.map((i) => i.kind))).toEqual(new Set(['state', 'determinism']));
    expect(expectedAlerts.length).toBeGreaterThan(10);
    expect(expectedStore.promotion_outcomes!.some((r) => String(r.outcome).includes('rolled_back'))).toBe(true);
    expect(expectedStore.mttr_snapshots!.some((r) => r.resolved_count !== 0)).toBe(true);
    expect(messy.duplicates).toBeGreaterThan(100);

    const same = (run: RunResult, what: string) => {
      expect(run.counters, what).toMatchObject({ events: events.length, duplicates: messy.duplicates, late: 0, deadLetters: 0 });
      expect(incidentsOf(run.facts), what).toEqual(expectedIncidents);
      expect(alertsOf(run.facts), what).toEqual(expectedAlerts);
      expect(logicalStore(run.facts), what).toEqual(expectedStore);
    };
    same(await runLines(messy.lines), 'out of order');
    same(await runPartitioned(messy.lines, 3, seed), '3 partitions');
    const rng = new Prng(seed);
    for (const commitEvery of [undefined, 37]) {
      const cut = rng.int(1, messy.lines.length - 1);
      const restarted = await runWithRestart(messy.lines, cut, { commitEvery });
      expect(restarted.redelivered).toBeGreaterThan(0); // the orderer held records at the cut: they came again
      same(restarted, `restarted at line ${cut}, commits every ${commitEvery ?? 'cut only'}`);
    }
  });
});
