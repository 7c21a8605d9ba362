/**
 * Per-second panels over a range whose ends cut an interval: the rate of an
 * interval is its events over the seconds of it inside the range. Dividing
 * by the whole interval showed the first and last points low — with "to =
 * now", a dip at the right edge of every refresh that reads as throughput
 * falling. Hand-checked on two fixtures, at Grafana's one-minute interval:
 *
 * promotion-retried.ndjson, range 10:00:30–10:03:20 (promotion events only):
 *   10:00  [10:00:30, 10:01)   p01 gate 10:00:30                    1 / 30 s
 *   10:01                      p01 succeeded 10:01:10               1 / 60 s
 *   10:02                      pR1 started 10:02                    1 / 60 s
 *   10:03  [10:03, 10:03:20]   pR1 gate 10:03, p02 started 10:03:10 2 / 20 s
 * nondeterministic-rule.ndjson, range 14:00:30–14:02:15 (ok hydrations at
 * 14:01 and 14:02 in it):
 *   14:01                                                          1 / 60 s
 *   14:02  [14:02, 14:02:15]                                       1 / 15 s
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, replayFixture } from '../../helpers/replay-fixture.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { runPanel } from './panel-runner.js';

/** Both fixtures in one store (one embedded store per process): their event ids and times do not meet. */
const replayed = replayedStore(() => {
  const input = join(mkdtempSync(join(tmpdir(), 'dw-rates-')), 'events.ndjson');
  writeFileSync(input, ['promotion-retried', 'nondeterministic-rule'].map((f) => readFileSync(join(fixturesDir, `${f}.ndjson`), 'utf8')).join(''));
  return replayFixture(input, { store: true });
});
const at = (hhmmss: string) => new Date(`2026-11-27T${hhmmss}.000Z`);

describe('per-second panels over a range that cuts its first and last intervals', () => {
  it('Throughput: events over the seconds of each interval inside the range', async () => {
    const rows = await runPanel(replayed.store, 'driftwatch-operations', 'Throughput (events/s by type)', 'All', at('10:03:20'), {}, at('10:00:30'));
    expect(rows).toEqual([
      { time: '2026-11-27 10:00:00', type: 'promotion', events_per_s: 1 / 30 },
      { time: '2026-11-27 10:01:00', type: 'promotion', events_per_s: 1 / 60 },
      { time: '2026-11-27 10:02:00', type: 'promotion', events_per_s: 1 / 60 },
      { time: '2026-11-27 10:03:00', type: 'promotion', events_per_s: 2 / 20 },
    ]);
  });

  it('Rule executions per second: the same for hydrations', async () => {
    const rows = await runPanel(replayed.store, 'driftwatch-hydration', 'Rule executions per second', 'All', at('14:02:15'), {}, at('14:00:30'));
    expect(rows).toEqual([
      { time: '2026-11-27 14:01:00', status: 'ok', executions_per_s: 1 / 60 },
      { time: '2026-11-27 14:02:00', status: 'ok', executions_per_s: 1 / 15 },
    ]);
  });
});
