/**
 * The embedded store answers in UTC whatever the shell's TZ: its columns are
 * UTC, and `now()`, `today()`, a time written without a zone and a DateTime
 * shown as text must be too — else the same query gives another day's rows
 * in Tokyo than in London. The built CLI runs in a process of its own, the
 * only way to give chDB another TZ.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cliProcess } from '../../integration/live/engine-process.js';

const SQL =
  "SELECT timezone() AS tz, toHour(toDateTime(0)) AS epoch_hour, toUnixTimestamp(toDateTime('2024-01-01 00:00:00')) AS parsed, " +
  "today() = toDate(now(), 'UTC') AS today_is_utc";

describe('driftwatch query on the embedded store, in a shell with TZ set', () => {
  beforeAll(() => assertBuilt());

  it.each(['Asia/Tokyo', 'America/Los_Angeles'])('TZ=%s: now(), today() and times without a zone are UTC', async (tz) => {
    const store = join(mkdtempSync(join(tmpdir(), 'dw-query-tz-')), 'store');
    const migrated = await cliProcess(['sql', 'migrate', '--data-dir', store], { TZ: tz });
    expect(migrated.code, migrated.stderr).toBe(0);
    const r = await cliProcess(['query', '--data-dir', store, '-f', 'jsonl', SQL], { TZ: tz });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ tz: 'UTC', epoch_hour: 0, parsed: 1704067200, today_is_utc: 1 });
  });
});
