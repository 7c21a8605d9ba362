/**
 * Operational Metrics' *Error patterns* (the seed's "Error Rates: error
 * frequency and pattern analysis"): which errors the rates are made of.
 * Fixture fixtures/error-patterns.ndjson, hand-checked:
 *   hydration r-render: three timeouts that differ only in their numbers and
 *     digests (14:00 qa/billing h1, 14:01 qa/search h2, 14:02 prod/billing h1)
 *     — one pattern — and one schema error (14:03); r-merge: an error with no
 *     message (14:04); an ok run (14:05) counts nowhere;
 *   index: two write errors on shard s1 (14:06 qa/billing i1, 14:07 qa/search
 *     i2), a read error without a shard (14:08); an ok read (14:09).
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { runPanel, type EnvSelection } from './panel-runner.js';

const fixture = fileURLToPath(new URL('./fixtures/error-patterns.ndjson', import.meta.url));
const replayed = replayedStore(() => replayFixture(fixture, { store: true }));
const at = (hhmm: string) => new Date(`2026-11-27T${hhmm}:00.000Z`);
const ts = (hhmm: string) => `2026-11-27 ${hhmm}:00.000`;
const patterns = (from: string, to: string, env: EnvSelection = 'All') =>
  runPanel(replayed.store, 'driftwatch-operations', 'Error patterns', env, at(to), {}, at(from));

const timeouts = {
  source: 'hydration', operation: 'r-render', pattern: 'timeout after # ms loading sha256:#',
  example: 'timeout after 3050 ms loading sha256:b1',
};

describe('Error patterns: hydration and index errors grouped by what failed and how', () => {
  it('one row per pattern, most errors first: numbers and digests read as #, the latest message as the example', async () => {
    expect(await patterns('14:00', '14:30')).toEqual([
      { ...timeouts, errors: 3, instances: 2, keys: 3, first_seen: ts('14:00'), last_seen: ts('14:02') },
      { source: 'index', operation: 'write', pattern: 'shard s1', errors: 2, instances: 2, keys: 2, first_seen: ts('14:06'), last_seen: ts('14:07'), example: null },
      { source: 'index', operation: 'read', pattern: '(no shard)', errors: 1, instances: 1, keys: 1, first_seen: ts('14:08'), last_seen: ts('14:08'), example: null },
      { source: 'hydration', operation: 'r-merge', pattern: '(no message)', errors: 1, instances: 1, keys: 1, first_seen: ts('14:04'), last_seen: ts('14:04'), example: null },
      {
        source: 'hydration', operation: 'r-render', pattern: 'schema invalid: missing field replicas', errors: 1, instances: 1, keys: 1,
        first_seen: ts('14:03'), last_seen: ts('14:03'), example: 'schema invalid: missing field replicas',
      },
    ]);
  });

  it('follows the environment filter and the range', async () => {
    expect(await patterns('14:00', '14:30', ['prod'])).toEqual([
      { ...timeouts, errors: 1, instances: 1, keys: 1, first_seen: ts('14:02'), last_seen: ts('14:02') },
    ]);
    expect(await patterns('14:00', '14:02', ['qa'])).toEqual([
      { ...timeouts, example: 'timeout after 3120 ms loading sha256:c7e2', errors: 2, instances: 2, keys: 2, first_seen: ts('14:00'), last_seen: ts('14:01') },
    ]);
    expect(await patterns('14:10', '14:30')).toEqual([]);
  });
});
