/**
 * The overview's Uptime (engine availability): the share of the whole minutes
 * of the range in which the engine wrote at least one engine_metrics point.
 * It counted the minute of a point exactly at the range end ($__timeFilter is
 * closed at both ends), and divided the minutes a range touches by
 * dateDiff('minute', from, to), which counts boundaries crossed: a range
 * starting mid-minute touched one minute more than it divided by, so a
 * down minute could still read 100 % (capped by least(1, …)). On a store of
 * its own, with points set by hand.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { metricRow } from '../../../store/row-mappers.js';
import { runPanel } from './panel-runner.js';

const at = (hms: string) => new Date(`2026-11-27T${hms}.000Z`);

/** A running engine's points: two series every 15 s over [from, to), except in the minutes listed as down. */
function running(from: string, to: string, downMinutes: string[] = []): string[] {
  const rows: string[] = [];
  for (let t = at(from).getTime(); t < at(to).getTime(); t += 15_000) {
    if (downMinutes.includes(new Date(t).toISOString().slice(11, 16))) continue;
    for (const name of ['watermark_delay_seconds', 'store_pending_rows']) rows.push(JSON.stringify(metricRow(name, 1, {}, t)));
  }
  return rows;
}

let store: ChdbTransport;

beforeAll(async () => {
  store = await openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'dw-uptime-')), 'store'));
  // 10:00–10:05 up, 10:05–10:08 down, 10:08–10:10 up, and one point at 10:10:00 sharp (the engine came back then).
  await store.insert('driftwatch.engine_metrics', [...running('10:00:00', '10:05:00'), ...running('10:08:00', '10:10:00'), ...running('10:10:00', '10:10:01')]);
  // 11:00–11:06 up, but not in the minute 11:03.
  await store.insert('driftwatch.engine_metrics', running('11:00:00', '11:06:00', ['11:03']));
});

afterAll(async () => {
  await store?.close();
});

const uptime = async (from: string, to: string) => (await runPanel(store, 'driftwatch-overview', 'Uptime (engine availability)', 'All', at(to), undefined, at(from)))[0]!.availability;

describe('overview: Uptime (engine availability)', () => {
  it('is up minutes / whole minutes of [from, to): the minute starting at the range end is not in it', async () => {
    // Whole minutes 10:00 … 10:09 (10); up: 10:00–10:04 and 10:08–10:09 (7). The point at 10:10:00 made it 8 / 10.
    expect(await uptime('10:00:00', '10:10:00')).toBeCloseTo(0.7, 12);
  });

  it('counts only the whole minutes of a range that starts and ends mid-minute, so a down minute shows', async () => {
    // [11:00:30, 11:05:30): whole minutes 11:01 … 11:04 (4), up in 11:01, 11:02 and 11:04: 3 / 4. It read 100 %: five
    // minutes touched (11:00, 11:01, 11:02, 11:04, 11:05) over dateDiff = 5.
    expect(await uptime('11:00:30', '11:05:30')).toBeCloseTo(0.75, 12);
    // Every whole minute up: 100 %, however the range is cut.
    expect(await uptime('11:03:59', '11:05:01')).toBe(1);
  });

  it('has no value for a range without a whole minute, and 0 for one where the engine wrote nothing', async () => {
    expect(await uptime('11:00:10', '11:00:50')).toBeNull();
    expect(await uptime('10:05:00', '10:08:00')).toBe(0);
  });
});
