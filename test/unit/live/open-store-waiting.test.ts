/**
 * Live start-up against a store server that is down: opening is retried with
 * capped, jittered backoff on virtual time instead of ending the process (a
 * crash loop under a supervisor), logged once at warn and once at info; a
 * failure that cannot pass (rejected login, a server too old for the schema)
 * still ends it at once.
 */
import { describe, expect, it } from 'vitest';
import { openWaiting } from '../../../engine/live/open-store-waiting.js';
import { MigrationError, StoreError } from '../../../lib/errors.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';

describe('openWaiting (live start-up)', () => {
  it('waits out a store that is down for 2 minutes, then opens it; one warn line, one info line', async () => {
    let now = 0;
    const delays: number[] = [];
    const lines: Array<{ msg?: string; level?: number }> = [];
    let attempts = 0;
    const opened = await openWaiting(
      async () => {
        attempts++;
        if (now < 120_000) throw new StoreError('ClickHouse at http://ch:8123 (CLICKHOUSE_URL) is unreachable during login check: ECONNREFUSED', { canRetry: true });
        return 'transport';
      },
      { logger: capturingLogger(lines), sleep: async (ms) => void (delays.push(ms), (now += ms)), now: () => now, random: () => 1 },
    );
    expect(opened).toBe('transport');
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...delays)).toBe(30_000);
    expect(attempts).toBe(delays.length + 1);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringMatching(/^cannot open the store at start-up; waiting for it/)]);
    expect(lines.filter((l) => l.level === 30).map((l) => l.msg)).toEqual(['the store is reachable again; starting']);
  });

  it('a migration cut by the outage (retryable) is waited out too', async () => {
    let attempts = 0;
    const opened = await openWaiting(
      async () => {
        if (++attempts < 3) throw new MigrationError('0001_init.sql, statement 2 failed: socket hang up', { canRetry: true });
        return 'ok';
      },
      { logger: capturingLogger([]), sleep: async () => undefined },
    );
    expect([opened, attempts]).toEqual(['ok', 3]);
  });

  it('a failure that cannot pass ends start-up at once, with its own error', async () => {
    const denied = new StoreError('CLICKHOUSE_USER/CLICKHOUSE_PASSWORD rejected by http://ch:8123: Code: 516', { canRetry: false });
    const tooOld = new MigrationError('the ClickHouse server at CLICKHOUSE_URL runs 18.16.1; sql/migrations need 22.2 or newer');
    for (const err of [denied, tooOld, new Error('a bug')]) {
      let attempts = 0;
      const result = await openWaiting(
        async () => {
          attempts++;
          throw err;
        },
        { logger: capturingLogger([]), sleep: async () => undefined },
      ).catch((e: unknown) => e);
      expect(result).toBe(err);
      expect(attempts).toBe(1);
    }
  });
});
