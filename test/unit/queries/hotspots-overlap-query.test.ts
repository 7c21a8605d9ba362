/**
 * sql/queries/drift-hotspots.sql's drifted_minutes is how long the key was
 * drifted inside the range: the union of its incidents' time, not their sum
 * (as the Drift hotspots panel, test/unit/grafana/hotspots-overlap.test.ts).
 * Fixture determinism-incidents.ndjson: four determinism incidents of dev/det,
 * three at once (hand-checked from the replay's incidents.ndjson):
 *   d-mixed 14:00:01–14:15, d-err 14:00:30–14:15, d-three 14:02–14:15, d-three 14:15–14:30
 * Drifted from 14:00:01 to 14:30 without a break: 29 min 59 s of 14:00–14:30
 * (the sum, 57.5 min, is longer than the range), 15 min of 14:05–14:20 (the sum: 35).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { bindQueryParams } from './query-params.js';

const replayed = replayedStore('determinism-incidents.ndjson');
const sql = readFileSync(fileURLToPath(new URL('../../../sql/queries/drift-hotspots.sql', import.meta.url)), 'utf8').trim().replace(/;$/, '');
const hotspots = (from: string, to: string) =>
  replayed.store.query(bindQueryParams(sql, { from: `2026-11-27 ${from}:00`, to: `2026-11-27 ${to}:00`, limit: 10 }));

describe('drift-hotspots.sql: overlapping incidents of a key', () => {
  it('count the drifted time once', async () => {
    // The second d-three resolves at 14:30, the end of both ranges' [from, to) or after it: open at their ends.
    const key = { env: 'dev', artifact: 'det', incidents: 4, state_incidents: 0, determinism_incidents: 4, open_incidents: 1 };
    expect(await hotspots('14:00', '14:30')).toEqual([expect.objectContaining({ ...key, drifted_minutes: 29.98 })]);
    expect(await hotspots('14:05', '14:20')).toEqual([expect.objectContaining({ ...key, drifted_minutes: 15 })]);
  });
});
