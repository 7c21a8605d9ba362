/**
 * Property test of SPEC §4.7 and §7 at scale: a generated scenario (tens of
 * thousands of events, injected drift of every kind) replayed in event-time
 * order, and the same events replayed after a seeded perturbation —
 *
 * - arrival order shuffled: each event arrives at occurredAt + a random delay
 *   below 2 × allowedLateness, so none is late (the frontier is the newest
 *   event time − 2 × lateness) but thousands overtake each other;
 * - duplicates: copies of some events arrive again up to 10 minutes later
 *   (well inside the dedup horizon);
 * - garbage: truncated JSON, random text, JSON that is not an object, events
 *   missing a required field or with an ill-typed one, events dated far ahead
 *   of the clock or before 1970; and blank lines, which are neither events
 *   nor errors —
 *
 * must find the same incidents and alerts, count every duplicate and no late
 * event, and dead-letter exactly the garbage lines, by line number. Several
 * seeds, so a tie-breaking or ordering bug shows up as a seed that fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScenario } from '../../engine/demo/scenario-generator.js';
import { Prng } from '../../engine/demo/prng.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { HOUR, MINUTE } from '../../lib/time.js';
import { alertShape, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

const LATENESS = defaultProcessingOptions.allowedLatenessMs;

interface Line {
  text: string;
  /** When it reaches the engine: the order of the file. */
  arrival: number;
  /** Set on garbage lines: they must come back as dead letters. */
  garbage?: true;
}

/** The scenario's events in event-time order (the generator's own jitter, duplicates and malformed lines off). */
function cleanEvents(seed: number): Array<{ value: string; at: number }> {
  const gen = createScenario({ seed, keys: 24, spanMs: 3 * HOUR, jitterMs: 0, duplicateRate: 0, malformedRate: 0 });
  return [...gen].map((r) => ({ value: r.value, at: r.at }));
}

/** A line that must be dead-lettered, made from a valid event line. */
function garbageFrom(valid: string, rng: Prng): string {
  const event = JSON.parse(valid) as Record<string, unknown>;
  switch (rng.int(0, 6)) {
    case 0:
      return valid.slice(0, rng.int(1, valid.length - 1)); // truncated: never valid JSON
    case 1:
      return Array.from({ length: rng.int(1, 40) }, () => String.fromCharCode(rng.int(0x21, 0x7e), rng.int(0xa1, 0x24f))).join('');
    case 2:
      return rng.pick(['42', '"event"', 'null', '[1,2,3]', 'true']);
    case 3: {
      const { [rng.pick(['eventId', 'type', 'occurredAt', 'env', 'artifact'])]: _dropped, ...rest } = event;
      return JSON.stringify(rest);
    }
    case 4:
      return JSON.stringify({ ...event, [rng.pick(['occurredAt', 'env', 'artifact', 'eventId'])]: rng.pick([12345, true, null, { x: 1 }]) });
    case 5:
      return JSON.stringify({ ...event, occurredAt: rng.pick(['yesterday', '2026-13-45T99:00:00Z', '']) });
    default:
      // Valid, but far ahead of the clock (a broken producer clock, a corrupted year): processed, it would move the
      // watermark there, fire every timer and make every later event late (DRIFTWATCH_MAX_FUTURE_SKEW); or before the
      // Unix epoch, which the store cannot keep.
      return JSON.stringify({
        ...event,
        occurredAt: rng.pick(['9999-12-31T23:59:59.999Z', '2100-01-01T00:00:00.000Z', new Date(Date.now() + 86_400_000).toISOString(), '1969-07-20T20:17:40.000Z']),
      });
  }
}

function perturbed(events: Array<{ value: string; at: number }>, seed: number): { text: string; duplicates: number; garbageLines: number[] } {
  const rng = new Prng(seed * 7919 + 1);
  const lines: Line[] = [];
  let duplicates = 0;
  for (const e of events) {
    const arrival = e.at + rng.range(0, 1.9 * LATENESS);
    lines.push({ text: e.value, arrival });
    if (rng.chance(0.03)) {
      lines.push({ text: e.value, arrival: arrival + rng.range(0, 10 * MINUTE) });
      duplicates++;
    }
    if (rng.chance(0.01)) lines.push({ text: garbageFrom(e.value, rng), arrival: arrival + rng.range(0, MINUTE), garbage: true });
    if (rng.chance(0.002)) lines.push({ text: rng.pick(['', '   ', '\t']), arrival });
  }
  lines.sort((a, b) => a.arrival - b.arrival);
  const garbageLines = lines.flatMap((l, i) => (l.garbage ? [i + 1] : []));
  return { text: lines.map((l) => l.text).join('\n') + '\n', duplicates, garbageLines };
}

function writeInput(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dw-perturb-')), name);
  writeFileSync(path, text);
  return path;
}

describe('replay under perturbation (seeded property test)', () => {
  it.each([1, 2, 3])('seed %i: shuffled arrival, duplicates and garbage lines change nothing found', async (seed) => {
    const events = cleanEvents(seed);
    const clean = await replayFixture(writeInput('clean.ndjson', events.map((e) => e.value).join('\n') + '\n'));
    const messy = perturbed(events, seed);
    const out = await replayFixture(writeInput('messy.ndjson', messy.text), { store: true });

    // The scenario is worth comparing: thousands of events and incidents of both kinds.
    expect(clean.summary).toMatchObject({ events: events.length, duplicates: 0, late: 0, deadLetters: 0 });
    expect(events.length).toBeGreaterThan(20_000);
    expect(new Set(clean.incidents.map((i) => i.kind))).toEqual(new Set(['state', 'determinism']));
    expect(clean.alerts.length).toBeGreaterThan(10);
    expect(messy.duplicates).toBeGreaterThan(100);
    expect(messy.garbageLines.length).toBeGreaterThan(50);

    expect(out.incidents).toEqual(clean.incidents);
    expect(out.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));
    expect(out.summary).toMatchObject({ events: events.length, duplicates: messy.duplicates, late: 0, deadLetters: messy.garbageLines.length });
    expect(out.dlq.map((d) => d.line)).toEqual(messy.garbageLines);
    for (const d of out.dlq) expect(d.reason).toMatch(/\S/);

    // Never silent loss in the store either: every processed event is in the raw history once, every rejected line
    // among the dead letters, every incident in its table (a 1969 event once vanished here as it was inserted).
    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const count = async (table: string) => Number((await store.query<{ n: string }>(`SELECT count() AS n FROM driftwatch.${table}`))[0]!.n);
      const history = (await count('hydration_events FINAL')) + (await count('index_events FINAL')) + (await count('promotion_events FINAL'));
      expect(history).toBe(events.length);
      expect(await count('dead_letters')).toBe(messy.garbageLines.length);
      expect(await count('incidents FINAL')).toBe(out.incidents.length);
    } finally {
      await store.close();
    }
  });
});
