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
import { Prng } from '../../engine/demo/prng.js';
import { alertsOf, incidentsOf, logicalStore, runLines, runPartitioned, runWithRestart, type RunResult } from '../helpers/differential-run.js';
import { outOfOrder, sortedEvents } from '../helpers/differential-input.js';

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
