/**
 * Drift hotspots' drifted_minutes is how long the key was drifted inside the
 * range: the union of its incidents' time, not their sum. Fixture
 * determinism-incidents.ndjson: four determinism incidents of dev/det, three
 * at once (hand-checked from the replay's incidents.ndjson):
 *   d-mixed 14:00:01–14:15, d-err 14:00:30–14:15, d-three 14:02–14:15, d-three 14:15–14:30
 * Drifted from 14:00:01 to 14:30 without a break: 29 min 59 s in 14:00–14:30
 * (the sum, 57.5 min, is longer than the range), 15 min in 14:05–14:20 (was 35).
 */
import { describe, it, expect } from 'vitest';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';

const replayed = replayedStore('determinism-incidents.ndjson');
const at = (hhmm: string) => new Date(`2026-11-27T${hhmm}:00.000Z`);
const hotspots = (from: string, to: string) => runPanel(replayed.store, 'driftwatch-drift', 'Drift hotspots', 'All', at(to), {}, at(from));

describe('Drift hotspots: overlapping incidents of a key', () => {
  it('count the drifted time once', async () => {
    const key = { env: 'dev', artifact: 'det', incidents: 4, state_incidents: 0, determinism_incidents: 4, last_detected: '2026-11-27 14:15:00.000' };
    expect(await hotspots('14:00', '14:30')).toEqual([{ ...key, drifted_minutes: 30 }]); // 29.98, at one decimal
    expect(await hotspots('14:05', '14:20')).toEqual([{ ...key, drifted_minutes: 15 }]);
  });
});
