/**
 * rollbacks-and-recovery.sql on its own store (one embedded store per
 * process, so not in analyst-queries.test.ts): an incident that opened under
 * a rollback's desired state and was later judged against a newer promotion
 * is still the rollback's aftermath.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { bindQueryParams } from './query-params.js';

const query = readFileSync(fileURLToPath(new URL('../../../sql/queries/rollbacks-and-recovery.sql', import.meta.url)), 'utf8').trim().replace(/;$/, '');

let store: ChdbTransport;

beforeAll(async () => {
  const { outDir } = await replayFixture('rollback-then-promotion.ndjson', { store: true });
  store = await openEmbeddedStore(join(outDir, 'store'));
});

afterAll(async () => {
  await store?.close();
});

describe('rollbacks-and-recovery', () => {
  it('counts an incident that opened under the rollback even once a newer promotion judges it', async () => {
    // p-7 (p2) is rolled back to p1 at 13:08; r2 still runs p2 when the grace ends, so an incident opens at 13:10 under
    // the rollback's desired state. p-8 (p3) succeeds at 13:11:30 and the incident, still open, is judged against it from
    // then on (its row's desired_from says 'promotion'); r2 runs p3 at 13:14: resolved, 6 min after the rollback.
    const rows = await store.query(bindQueryParams(query, { from: '2026-11-27 00:00:00', to: '2026-11-28 00:00:00', horizon_minutes: 60 }));
    expect(rows).toEqual([
      {
        rolled_back_at: '2026-11-27 13:08:00.000', env: 'prod', artifact: 'pay', promotion_id: 'p-7',
        rolled_back_version: '2.0.0', rollback_version: '1.0.0', actor: 'alice', reason: 'error budget burn',
        drift_incidents: 1, recovered_at: '2026-11-27 13:14:00.000', recovery_minutes: 6, still_drifting: 0,
      },
    ]);
  });

  it('a horizon that ends before the incident opens leaves a clean rollback', async () => {
    // With the horizon at 2 min the aftermath ends at 13:10, when the incident opens (the end is exclusive).
    const [clean] = await store.query(bindQueryParams(query, { from: '2026-11-27 00:00:00', to: '2026-11-28 00:00:00', horizon_minutes: 2 }));
    expect(clean).toMatchObject({ drift_incidents: 0, recovery_minutes: 0, still_drifting: 0 });
  });
});
