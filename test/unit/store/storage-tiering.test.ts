/**
 * Storage tiering on the embedded engine. chDB has one storage policy
 * (`default`, one volume `default`), so the real statements run with that
 * policy and volume: it proves they parse and execute, land in the table
 * definitions as the server prints them, and that a second run changes
 * nothing. A multi-volume policy needs a server's storage_configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/errors.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { openEmbeddedStore } from '../../../store/open-store.js';
import { applyStorageTiering, intervalOf, TABLE_RETENTION, tieredTtl, type StorageTiering } from '../../../store/storage-tiering.js';

const DAY = 86_400_000;
const seed: StorageTiering = { policy: 'tiered', warmVolume: 'warm', coldVolume: 'cold', warmAfterMs: 7 * DAY, coldAfterMs: 30 * DAY };
const onChdb: StorageTiering = { ...seed, policy: 'default', warmVolume: 'default', coldVolume: 'default' };

let dir: string;
let t: ChdbTransport;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-tiering-'));
  t = await openEmbeddedStore(dir);
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const ttls = async () =>
  Object.fromEntries(
    (await t.query<{ name: string; ttl: string }>("SELECT name, extract(engine_full, 'TTL (.*?)(?: SETTINGS |$)') AS ttl FROM system.tables WHERE database = 'driftwatch' AND ttl != ''")).map((r) => [r.name, r.ttl]),
  );

describe('tiered TTL text', () => {
  it('renders the seed tiers for a one-year table and a 90-day table', () => {
    const raw = TABLE_RETENTION.find((r) => r.table === 'hydration_events')!;
    expect(tieredTtl(raw, seed)).toBe(
      "greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + toIntervalDay(7) TO VOLUME 'warm', " +
        "greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + toIntervalDay(30) TO VOLUME 'cold', " +
        'greatest(toDateTime(occurred_at), toDateTime(ingested_at)) + toIntervalYear(1)',
    );
    const metrics = TABLE_RETENTION.find((r) => r.table === 'engine_metrics')!;
    expect(tieredTtl(metrics, { ...seed, coldAfterMs: 120 * DAY })).toBe(
      "greatest(toDateTime(at), toDateTime(ingested_at)) + toIntervalDay(7) TO VOLUME 'warm', greatest(toDateTime(at), toDateTime(ingested_at)) + toIntervalDay(90)",
    );
  });

  it('writes intervals the way the server prints them', () => {
    expect([intervalOf(7 * DAY), intervalOf(36 * 3_600_000), intervalOf(90_500)]).toEqual(['toIntervalDay(7)', 'toIntervalHour(36)', 'toIntervalSecond(91)']);
  });
});

describe('applyStorageTiering on chDB', () => {
  it('TABLE_RETENTION matches the TTL of every table the migrations create', async () => {
    const declared = await ttls();
    expect(Object.keys(declared).sort()).toEqual(TABLE_RETENTION.map((r) => r.table).sort());
    for (const r of TABLE_RETENTION) expect(declared[r.table]).toBe(`${r.at} + ${r.keep}`);
  });

  it('names the option when the policy or a volume does not exist, before changing anything', async () => {
    await expect(applyStorageTiering(t, seed)).rejects.toMatchObject({ option: 'DRIFTWATCH_STORAGE_POLICY', message: expect.stringContaining('no storage policy "tiered"') });
    await expect(applyStorageTiering(t, { ...onChdb, warmVolume: 'warm' })).rejects.toMatchObject({ option: 'DRIFTWATCH_VOLUME_WARM', message: expect.stringContaining('has no volume "warm" (it has: default)') });
    await expect(applyStorageTiering(t, { ...onChdb, coldVolume: "x'; DROP" })).rejects.toBeInstanceOf(ConfigError);
    await expect(applyStorageTiering(t, { ...onChdb, coldAfterMs: 7 * DAY })).rejects.toMatchObject({ option: 'DRIFTWATCH_TIER_COLD_AFTER' });
    expect(Object.values(await ttls()).some((ttl) => ttl.includes('TO VOLUME'))).toBe(false);
  });

  it('moves every table to the tiered TTL, keeping its retention; a second run changes nothing', async () => {
    const first = await applyStorageTiering(t, onChdb);
    // storage_policy is already 'default' on chDB: only the TTLs change.
    expect(first.applied).toHaveLength(TABLE_RETENTION.length);
    expect(first.applied[0]).toBe(`ALTER TABLE driftwatch.promotion_events MODIFY TTL ${tieredTtl(TABLE_RETENTION[0]!, onChdb)}`);
    const now = await ttls();
    for (const r of TABLE_RETENTION) expect(now[r.table]).toBe(tieredTtl(r, onChdb));
    expect(now.audit_log).toMatch(/\+ toIntervalYear\(7\)$/);

    const second = await applyStorageTiering(t, onChdb);
    expect(second).toEqual({ applied: [], unchanged: TABLE_RETENTION.map((r) => r.table) });
  });
});
