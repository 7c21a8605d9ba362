/**
 * stableId derives incident ids, alert fingerprints and alertIds, which
 * consumers keep (deduplication on alertId, the alerts table's key): it must
 * stay the SHA-1 of each part followed by NUL, as UTF-8, however it is
 * computed — here against a Hash object fed part by part, as it once was.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stableId } from '../../../lib/ids.js';

function partByPart(prefix: string, ...parts: Array<string | number | undefined>): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(String(p ?? '')).update('\u0000');
  return `${prefix}-${h.digest('hex').slice(0, 20)}`;
}

describe('stableId', () => {
  const cases: Array<Array<string | number | undefined>> = [
    [],
    [''],
    [undefined, undefined],
    ['state', 'prod', 'web', 1_764_244_800_000],
    ['fp-0123456789abcdef0123', 1_764_244_800_000, 1_764_245_100_000, 'firing', 'high', 2, 1],
    [0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21],
    ['é', '中文', 'x😀y'],
    ['\uD83D', '\uDE00'], // lone surrogates, one per part: not joined into a pair
    ['a\u0000b', 'c'],
  ];

  it('is the SHA-1 of each part followed by NUL, as UTF-8', () => {
    for (const parts of cases) expect(stableId('p', ...parts)).toBe(partByPart('p', ...parts));
  });

  it('keeps the ids already issued (computed by the Hash-object version)', () => {
    expect(stableId('inc', 'state', 'prod', 'web', 1_764_244_800_000)).toBe('inc-a6af0624d9f809a65a2c');
    expect(stableId('fp', 'drift_detected', 'artifact=web', 'env=prod')).toBe('fp-30192a09841b48add71d');
  });
});
