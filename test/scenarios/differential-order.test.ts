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
 *       late by §4.7 — with exact duplicates (same line, same eventId)
 *       arriving up to 10 min after the first copy, and with unreadable or
 *       invalid lines among them (differential-input.ts `withGarbage`);
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
 * must give the same alert events, alertIds included (the engine's own,
 * derived from the emission — alert-id.ts —, so a restart that renumbered an
 * emission, e.g. lost the per-instant ordinal of a second instance begun in
 * the same millisecond, fails here; emittedAt, the one wall-clock field, from
 * a fixed clock) and the same first firings (what the detection-delay
 * metric observes, once per instance), the same final incidents, and the same logical rows of every store
 * table — windows, promotion outcomes, MTTR snapshots, incidents, alerts,
 * audit, raw history (without its source line, which is arrival order) — as
 * FINAL would return them; and (b)–(d) the same dead letters, each unreadable
 * line once (none lost or dead-lettered again across the restart), by line,
 * reason and bytes, and the same counters (events, duplicates, late, dead
 * letters: what the metrics count). Not compared: engine_metrics, which the
 * live runner samples on the wall clock (the counters are what it samples).
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
import { alertsOf, firstFiringsOf, incidentsOf, logicalStore, runLines, runPartitioned, runWithRestart, type DeadLetterSeen, type RunResult } from '../helpers/differential-run.js';
import { outOfOrder, sortedEvents, withGarbage, withLateEvents } from '../helpers/differential-input.js';

describe('out-of-order, duplicated, partitioned and restarted input gives the outputs of the sorted input (seeded)', () => {
  it.each([
    { seed: 1, roundMs: 1 },
    { seed: 2, roundMs: 1 },
    { seed: 3, roundMs: 5000 },
  ])('seed $seed, event times rounded to $roundMs ms', async ({ seed, roundMs }) => {
    const events = sortedEvents(seed, roundMs);
    const sorted = await runLines(events.map((e) => e.value));
    const messy = outOfOrder(events, seed);
    const garbage = withGarbage(messy.lines, seed);

    // Worth comparing: thousands of events, incidents of both kinds, alerts, promotions rolled back, MTTR figures.
    expect(events.length).toBeGreaterThan(4000);
    expect(sorted.counters).toMatchObject({ events: events.length, duplicates: 0, late: 0, deadLetters: 0 });
    const expectedStore = logicalStore(sorted.facts);
    const expectedIncidents = incidentsOf(sorted.facts);
    const expectedAlerts = alertsOf(sorted.facts);
    const expectedFirstFirings = firstFiringsOf(sorted.facts);
    expect(expectedFirstFirings.length).toBeGreaterThan(5);
    expect(new Set(expectedIncidents.map((i) => i.kind))).toEqual(new Set(['state', 'determinism']));
    expect(expectedAlerts.length).toBeGreaterThan(10);
    expect(expectedStore.promotion_outcomes!.some((r) => String(r.outcome).includes('rolled_back'))).toBe(true);
    expect(expectedStore.mttr_snapshots!.some((r) => r.resolved_count !== 0)).toBe(true);
    expect(messy.duplicates).toBeGreaterThan(100);

    // Every unreadable line dead-lettered once — also across the restart (none lost, none again) —, by line and reason.
    const byLine = (d: readonly DeadLetterSeen[]) => [...d].sort((x, y) => x.line! - y.line!);
    let expectedDeadLetters: DeadLetterSeen[] | undefined;
    const same = (run: RunResult, what: string) => {
      expect(run.counters, what).toMatchObject({ events: events.length, duplicates: messy.duplicates, late: 0, deadLetters: garbage.at.length });
      expect(byLine(run.deadLetters).map((d) => d.line), what).toEqual(garbage.at);
      expect(byLine(run.deadLetters), what).toEqual((expectedDeadLetters ??= byLine(run.deadLetters)));
      expect(incidentsOf(run.facts), what).toEqual(expectedIncidents);
      expect(alertsOf(run.facts), what).toEqual(expectedAlerts);
      expect(firstFiringsOf(run.facts), what).toEqual(expectedFirstFirings);
      expect(logicalStore(run.facts), what).toEqual(expectedStore);
    };
    same(await runLines(garbage.lines), 'out of order');
    same(await runPartitioned(garbage.lines, 3, seed), '3 partitions');
    const rng = new Prng(seed);
    for (const commitEvery of [undefined, 37]) {
      const cut = rng.int(1, garbage.lines.length - 1);
      const restarted = await runWithRestart(garbage.lines, cut, { commitEvery });
      expect(restarted.redelivered).toBeGreaterThan(0); // the orderer held records at the cut: they came again
      same(restarted, `restarted at line ${cut}, commits every ${commitEvery ?? 'cut only'}`);
    }
  });
});

/**
 * Late events (SPEC §4.7) make the outputs depend on arrival order by
 * definition — what is late, the frontier its `event.late` audit record is
 * dated by, the window it still counts in (README, Known limits) — so there
 * the property is the restart's alone: read with a restart, the arrival order
 * of (b) with late events added (differential-input.ts `withLateEvents`) must
 * give what it gives uninterrupted — every alert with its alertId, incidents,
 * every table's rows, `event.late` audit records included, counters. The
 * restart comes after the first two of three late snapshots judged at one
 * frontier (the first snapshot_not_verified instance fired and resolved
 * there): the second, begun at that instant, must keep the per-instant
 * ordinal of its id across it (instant-starts.ts, persisted with the key's
 * record), else it takes the first instance's ids.
 */
describe('input with late events, restarted, gives the outputs of the same input uninterrupted (seeded)', () => {
  it('seed 4, event times rounded to 1000 ms', async () => {
    const seed = 4;
    // The first half of the scenario's arrivals (40 min of event time): enough for every kind of late event, at
    // half the cost.
    const arrivals = outOfOrder(sortedEvents(seed, 1000), seed).lines;
    const late = withLateEvents(arrivals.slice(0, Math.floor(arrivals.length / 2)), seed);
    const whole = await runLines(late.lines);

    // Worth comparing: late events of every type, each with its event.late record; the same-instant flap.
    const expectedStore = logicalStore(whole.facts);
    expect(whole.counters.late).toBeGreaterThan(30);
    expect(new Set(whole.facts.flatMap((f) => (f.kind === 'late' ? [f.envelope.event.type] : [])))).toEqual(new Set(['promotion', 'hydration', 'index']));
    expect(expectedStore.audit_log!.filter((r) => r.action === 'event.late')).toHaveLength(whole.counters.late);
    // (The second instance then escalates, and resolves once no snapshot came for the rule's window.)
    const flap = alertsOf(whole.facts).filter((a) => a.labels.artifact === 'flap').slice(0, 3);
    expect(flap.map((a) => `${a.status} L${a.escalationLevel}`)).toEqual(['firing L1', 'resolved L1', 'firing L1']);
    expect(new Set(flap.map((a) => a.startsAt)).size).toBe(1);
    expect(new Set(flap.map((a) => a.alertId)).size).toBe(3);

    // Restarted after the first two snapshots, the changelog written as live mode's commits write it. One restart:
    // the seeded ones above restart elsewhere, and each run here adds ~7 % to the file's time.
    const restarted = await runWithRestart(late.lines, late.flapAt + 2, { commitEvery: 37 });
    expect(restarted.counters).toEqual(whole.counters);
    expect(incidentsOf(restarted.facts)).toEqual(incidentsOf(whole.facts));
    expect(alertsOf(restarted.facts)).toEqual(alertsOf(whole.facts));
    expect(firstFiringsOf(restarted.facts)).toEqual(firstFiringsOf(whole.facts));
    expect(logicalStore(restarted.facts)).toEqual(expectedStore);
  });
});
