/**
 * Property test: schema-valid events with extreme values — strings of every
 * awkward kind (empty-looking, quotes, backslashes, control characters, NUL,
 * line separators, emoji, combining marks, right-to-left overrides, SQL and
 * HTML, 5000 characters), numbers from 0 to the largest double, RFC 3339
 * times with offsets and 0–9 fraction digits, unknown fields — are all
 * processed (none dead-lettered, none late), and the store keeps every one
 * of them exactly: each event id, each key and each instant comes back from
 * the raw history as it went in. An earlier hand fuzzing of the replay found
 * two silent losses of this kind (a 1969 time wrapped by the TTL, a "/" in
 * env sharing another key's state); this keeps the whole class under test.
 *
 * The events form promotions and observations of a few keys, so the
 * processors join them and open incidents: their ids must survive the
 * incident and alert tables too. Seeded: a failing seed reproduces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../engine/demo/prng.js';
import { HOUR, MINUTE } from '../../lib/time.js';
import { replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

/** Awkward but valid strings (none holds "/", so each may be an env; artifacts may add one). */
const AWKWARD = [
  'x',
  ' ',
  '  lead and trail  ',
  'ünïcødé',
  '日本語の環境',
  '🚀🔥 emoji',
  'e\u0301 combining',
  'RTL \u202e txet',
  'quote" back\\slash',
  "single'quote",
  'new\nline\ttab\rreturn',
  'nul\u0000char',
  'bell\u0007 esc\u001b',
  '\u2028\u2029 separators',
  '\ufeffbom',
  'percent %s %d {0} ${x}',
  '<script>alert(1)</script>',
  "x'); DROP TABLE driftwatch.incidents; --",
  'comma,semi;colon|pipe\\N',
  'NaN',
  'null',
  '-0',
  'a'.repeat(5_000),
];

const NUMBERS = [0, 1e-300, 0.5, 1, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, 1e20, Number.MAX_VALUE];

/** The instant `ms` written in one of RFC 3339's forms: Z or an offset, 0, 3 or 9 fraction digits. */
function rfc3339(ms: number, rng: Prng): string {
  const offsetMin = rng.pick([0, 0, 60, -330, 14 * 60, -12 * 60, 45]);
  const local = new Date(ms + offsetMin * MINUTE).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ of the local wall time
  const base = local.slice(0, 19);
  const fraction = rng.pick(['', '.' + local.slice(20, 23), '.' + local.slice(20, 23) + '000000']);
  if (ms % 1000 !== 0 && fraction === '') return rfc3339(ms, rng); // whole seconds only for a whole-second instant
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 && rng.chance(0.5) ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return base + fraction + zone;
}

interface Generated {
  lines: string[];
  /** Per event id: env, artifact and instant, as they must come back from the store. */
  expected: Map<string, { env: string; artifact: string; at: number }>;
}

function generate(seed: number): Generated {
  const rng = new Prng(seed);
  const start = Date.now() - 6 * HOUR;
  const keys = Array.from({ length: 8 }, (_, i) => ({
    env: rng.pick(AWKWARD),
    artifact: rng.pick(AWKWARD) + (i % 2 === 0 ? '/' + rng.pick(AWKWARD) : '') + ` #${i}`,
    digest: `sha256:${rng.pick(AWKWARD)}`,
  }));
  const lines: string[] = [];
  const expected: Generated['expected'] = new Map();
  let t = start;
  let n = 0;
  const common = (key: (typeof keys)[number], type: string) => {
    t += rng.int(1, 20_000);
    // Unique ids, each carrying an awkward string: the id is the dedup key and the table's sorting key.
    const eventId = `${rng.pick(AWKWARD)}#${seed}-${n++}`;
    expected.set(eventId, { env: key.env, artifact: key.artifact, at: t });
    const extra = rng.chance(0.3) ? { 'unknïwn field': { deep: [1, { a: rng.pick(AWKWARD) }], n: null } } : {};
    return { type, eventId, occurredAt: rfc3339(t, rng), env: key.env, artifact: key.artifact, ...(rng.chance(0.5) ? { correlationId: rng.pick(AWKWARD) } : {}), ...extra };
  };
  for (const key of keys) {
    const promotionId = `p ${rng.pick(AWKWARD)}`;
    const version = rng.pick(AWKWARD);
    lines.push(JSON.stringify({ ...common(key, 'promotion'), promotionId, phase: 'started', version, digest: key.digest, fromEnv: rng.pick(AWKWARD), actor: rng.pick(AWKWARD) }));
    lines.push(JSON.stringify({ ...common(key, 'promotion'), promotionId, phase: 'gate', gate: { name: rng.pick(AWKWARD), result: rng.pick(['passed', 'failed']), durationMs: rng.pick(NUMBERS) } }));
    lines.push(JSON.stringify({ ...common(key, 'promotion'), promotionId, phase: 'snapshot', snapshot: { snapshotId: rng.pick(AWKWARD), verified: rng.chance(0.5) } }));
    lines.push(JSON.stringify({ ...common(key, 'promotion'), promotionId, phase: 'succeeded', version, digest: key.digest, reason: rng.pick(AWKWARD) }));
  }
  // Observations interleaved across keys: most serve the promoted digest, some a rogue one (incidents), over hours.
  for (let i = 0; i < 400; i++) {
    const key = rng.pick(keys);
    const digest = rng.chance(0.8) ? key.digest : `rogue ${rng.pick(AWKWARD)}`;
    const instance = `${rng.pick(AWKWARD)} ${rng.int(1, 3)}`;
    if (rng.chance(0.5)) {
      lines.push(
        JSON.stringify({
          ...common(key, 'hydration'),
          ruleId: rng.pick(AWKWARD),
          instance,
          inputDigest: key.digest,
          outputDigest: digest,
          durationMs: rng.pick(NUMBERS),
          status: 'ok',
          ...(rng.chance(0.2) ? { error: rng.pick(AWKWARD) } : {}),
        }),
      );
    } else {
      lines.push(
        JSON.stringify({
          ...common(key, 'index'),
          op: rng.pick(['read', 'write']),
          instance,
          servedDigest: digest,
          latencyMs: rng.pick(NUMBERS),
          status: 'ok',
          ...(rng.chance(0.3) ? { shard: rng.pick(AWKWARD) } : {}),
        }),
      );
    }
  }
  return { lines, expected };
}

describe('replay of schema-valid extreme values (seeded property test)', () => {
  it.each([1, 2, 3])('seed %i: every event processed, and the store gives back every id, key and instant', async (seed) => {
    const { lines, expected } = generate(seed);
    const path = join(mkdtempSync(join(tmpdir(), 'dw-extreme-')), 'extreme.ndjson');
    writeFileSync(path, lines.join('\n') + '\n');
    const out = await replayFixture(path, { store: true });

    expect(out.dlq).toEqual([]);
    expect(out.summary).toMatchObject({ events: lines.length, duplicates: 0, late: 0, deadLetters: 0 });
    expect(out.incidents.length).toBeGreaterThan(0); // the rogue digests were judged, not just stored

    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const rows: Array<{ event_id: string; env: string; artifact: string; at: string }> = [];
      for (const table of ['promotion_events', 'hydration_events', 'index_events']) {
        rows.push(...(await store.query<(typeof rows)[number]>(`SELECT event_id, env, artifact, toString(toUnixTimestamp64Milli(occurred_at)) AS at FROM driftwatch.${table} FINAL`)));
      }
      const back = new Map(rows.map((r) => [r.event_id, { env: r.env, artifact: r.artifact, at: Number(r.at) }]));
      expect(rows.length).toBe(expected.size);
      expect(back).toEqual(expected);

      // Incidents and alerts carry the same awkward keys through their tables.
      const incidentKeys = await store.query<{ env: string; artifact: string }>('SELECT DISTINCT env, artifact FROM driftwatch.incidents FINAL');
      const sortKeys = (ks: Array<{ env: string; artifact: string }>) => ks.map((k) => JSON.stringify([k.env, k.artifact])).sort();
      expect(sortKeys(incidentKeys)).toEqual(sortKeys([...new Map(out.incidents.map((i) => [JSON.stringify([i.env, i.artifact]), { env: String(i.env), artifact: String(i.artifact) }])).values()]));
      const alertRows = await store.query<{ n: string }>('SELECT count() AS n FROM driftwatch.alerts');
      expect(Number(alertRows[0]!.n)).toBe(out.alerts.length);
    } finally {
      await store.close();
    }
  });
});
