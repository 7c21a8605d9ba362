/**
 * Schema-valid input events with extreme values (see
 * test/scenarios/extreme-values.test.ts): a few keys made of awkward
 * strings, each promoted through every phase, then observations over hours
 * that mostly serve the promoted digest and sometimes a rogue one.
 */
import { Prng } from '../../engine/demo/prng.js';
import { HOUR, MINUTE } from '../../lib/time.js';
import { MAX_IDENTIFIER_CHARS } from '../../schemas/input-events.js';
import { ID_PART_SEPARATOR } from '../../lib/ids.js';

/** Awkward but valid strings (none holds "/", so each may be an env but for NUL, see ID_PART; artifacts may add one). */
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
  // As long as an identifying string may be (schemas/input-events.ts) once an artifact joins two of them with "/" and a suffix.
  'a'.repeat(MAX_IDENTIFIER_CHARS / 2 - 16),
];

/**
 * The strings a field joined into ids may hold (env, artifact, ruleId, a gate's name): all but NUL, which
 * lib/ids.ts puts between an id's parts, so the schema refuses it there (test/scenarios/nul-in-id-fields.test.ts: such
 * an event is dead-lettered, which this generator's events never are). Every other string field still gets it.
 */
const ID_PART = AWKWARD.filter((text) => !text.includes(ID_PART_SEPARATOR));

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

export interface ExtremeEvents {
  lines: string[];
  /** Per event id: env, artifact and instant, as they must come back from the store. */
  expected: Map<string, { env: string; artifact: string; at: number }>;
}

/** NDJSON lines in event-time order, the first `spanBeforeNowMs` (default 6 h) before now. */
export function extremeEvents(seed: number, spanBeforeNowMs = 6 * HOUR): ExtremeEvents {
  const rng = new Prng(seed);
  const start = Date.now() - spanBeforeNowMs;
  const keys = Array.from({ length: 8 }, (_, i) => ({
    env: rng.pick(ID_PART),
    artifact: rng.pick(ID_PART) + (i % 2 === 0 ? '/' + rng.pick(ID_PART) : '') + ` #${i}`,
    digest: `sha256:${rng.pick(AWKWARD)}`,
  }));
  const lines: string[] = [];
  const expected: ExtremeEvents['expected'] = new Map();
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
    lines.push(JSON.stringify({ ...common(key, 'promotion'), promotionId, phase: 'gate', gate: { name: rng.pick(ID_PART), result: rng.pick(['passed', 'failed']), durationMs: rng.pick(NUMBERS) } }));
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
          ruleId: rng.pick(ID_PART),
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
