/**
 * The soak's store comparison against a redo: an engine that reads records
 * again after a failed commit (a broker killed or restarted mid-transaction)
 * writes their rows into its store again. Tables read `FINAL` and the
 * rollups' counts and maxima are unchanged by that; `drift_detection_daily`'s
 * quantile columns are not (sql/README: the materialized view weighs a
 * re-inserted incident twice — take percentiles from `incidents FINAL`), so
 * the comparison must leave them out: a store with one incident's rows
 * written twice compares equal with one that has them once. (Soak run 601:
 * seven resolutions redone after broker kills moved three rows' recovery
 * quantiles, nothing else.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fact } from '../../processors/facts.js';
import { openEmbeddedStore } from '../../store/open-store.js';
import { StoreWriter } from '../../store/store-writer.js';
import { incident, MIN, T0 } from '../unit/store/fixtures.js';
import { snapshotDiff, storeSnapshot } from './store-snapshot.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const resolved = (id: string, recoveryMin: number): Fact => ({
  kind: 'incident',
  at: T0 + recoveryMin * MIN,
  change: 'resolved',
  incident: incident({ incidentId: id, artifact: id, resolvedAt: T0 + recoveryMin * MIN, reason: 'converged', recoveryMs: recoveryMin * MIN }),
});

/** A store written batch by batch, as an engine's writer does; closed, so the CLI can read it. */
async function storeOf(batches: Fact[][]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-soak-snapshot-'));
  dirs.push(dir);
  const t = await openEmbeddedStore(dir);
  for (const batch of batches) {
    const w = new StoreWriter(t, { flushIntervalMs: 0 });
    for (const f of batch) w.write(f);
    await w.close();
  }
  await t.close();
  return dir;
}

describe('soak store snapshot', () => {
  it('a batch written again (a redo after a failed commit) compares equal with it written once', async () => {
    const [a, b] = [resolved('inc-a', 10), resolved('inc-b', 30)];
    const once = await storeOf([[a, b]]);
    const redone = await storeOf([[a, b], [b]]);
    const [s1, s2] = [await storeSnapshot([once], false), await storeSnapshot([redone], false)];
    expect(s1.get('drift_detection_daily')).toHaveLength(1); // the rollup is compared, its exact columns
    expect(snapshotDiff(s2, s1)).toEqual({});
  }, 300_000);
});
