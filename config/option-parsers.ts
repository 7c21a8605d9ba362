/**
 * The value parsers of the configuration options (env-config.ts) and the
 * limits they enforce. Each parser takes the variable's text and returns the
 * value, or throws an Error whose message says what was expected (and, for a
 * limit, why it exists); loadConfig prefixes the variable's name.
 */
import { hostname } from 'node:os';
import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS, redactUrl } from '../lib/logger.js';
import { DAY, durationText, parseDuration } from '../lib/time.js';
import { SASL_MECHANISMS, type SaslMechanism } from './kafka-security.js';

/**
 * Longest delay setTimeout/setInterval take: 2^31 − 1 ms (about 24.8 days).
 * Node turns a longer one into 1 ms (TimeoutOverflowWarning), so a huge
 * interval would silently become a busy loop.
 */
export const MAX_TIMER_MS = 2_147_483_647;
/**
 * Longest event-time duration (lateness, grace, window, source TTL, dedup
 * horizon): 365 days. These hold watermarks back or keep state alive in
 * event time; beyond a year they only pin memory, and an unbounded value
 * (1e23 ms, Infinity) breaks window arithmetic and the store's DateTime64
 * columns. A larger value is a unit slip, never a setting.
 */
export const MAX_EVENT_TIME_MS = 365 * DAY;
/**
 * Longest retention / tiering age: Number.MAX_SAFE_INTEGER ms rounded down to
 * whole days (104249991d, about 285,000 years). These may legitimately be very long
 * (retention.ms, TTL ages), but must stay finite whole numbers of ms: they are
 * written as integers into Kafka topic configs and SQL intervals.
 */
export const MAX_RETENTION_MS = Math.floor(Number.MAX_SAFE_INTEGER / DAY) * DAY;

/** Parsers throw an Error whose message says what was expected; loadConfig prefixes the variable name. */
const bad = (expected: string, text: string): Error => new Error(`expected ${expected}, got "${text}"`);

const durationHint = 'a duration such as 30s, 5m or 1h (units ms, s, m, h, d)';

/**
 * A duration parser accepting min..max ms (min 0, or "above zero" with
 * `positive`); the error names the allowed range. Infinity (e.g. 320 nines)
 * and anything past `max` are rejected, never clamped.
 */
function durationIn(max: number, positive: boolean, why?: string): (text: string) => number {
  return (text: string): number => {
    // Zero needs no unit: "0" is what the docs write for "off" (DRIFTWATCH_METRICS_STORE_INTERVAL).
    const raw = !positive && text.trim() === '0' ? 0 : parseDuration(text);
    if (Number.isNaN(raw)) throw bad(durationHint, text);
    const ms = Math.round(raw);
    if (positive && ms <= 0) throw bad('a duration above zero such as 30s, 5m or 1h', text);
    if (!(ms <= max)) throw bad(`a duration from ${positive ? '1ms' : '0ms'} to ${durationText(max)}${why ? ` (${why})` : ''}`, text);
    return ms;
  };
}

/**
 * A whole number from 1 to Number.MAX_SAFE_INTEGER (digits, "_" as a
 * separator). A number out of that range is told the range: past it the
 * digits no longer name one exact number.
 */
function positiveInteger(text: string): number {
  const t = text.trim();
  if (!/^\d[\d_]*$/.test(t)) throw bad('a positive whole number such as 5000', text);
  const n = Number(t.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 1) throw bad(`a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`, text);
  return n;
}

/**
 * A positiveInteger Kafka's protocol carries in a field of `max` (a topic's
 * partition count is an int32, its replication factor an int16): a larger
 * one failed only at `topics create`, as Node's "value is out of range".
 */
function kafkaCount(max: number): (text: string) => number {
  return (text: string): number => {
    const n = positiveInteger(text);
    if (n > max) throw bad(`a whole number from 1 to ${max} (the most a Kafka topic can have)`, text);
    return n;
  };
}

/**
 * The items of a comma-separated list, trimmed. An empty item beside real
 * ones is dropped (a trailing comma), but a list of nothing but empty items
 * (",") is refused: it would silently mean "none" where the user gave a value.
 */
function commaList(text: string, expected: string): string[] {
  const list = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (list.length === 0) throw bad(expected, text);
  return list;
}

/** An http(s) URL; the error's example is `example` (the ClickHouse server's by default). */
function httpUrl(text: string, example = 'http://localhost:8123'): string | null {
  const t = text.trim();
  if (t === '') return null;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw bad(`an http(s) URL such as ${example}`, redactUrl(t));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`an http(s) URL such as ${example}`, redactUrl(t));
  return t;
}

/**
 * The schema registry's API root. Both registry clients append request paths
 * (`/schemas/ids/7`) to it as text, so a query string or a fragment would end
 * up in front of them (`…/v7?x=1/schemas/ids/7`: every request misrouted, and
 * waited out as an outage); neither client can carry query parameters of
 * its own, so such a URL is refused here.
 */
function registryUrl(text: string): string | null {
  const t = httpUrl(text, 'http://localhost:8081/apis/ccompat/v7');
  if (t === null) return null;
  const url = new URL(t);
  url.username = '';
  url.password = '';
  // href, not search/hash: a bare trailing "?" or "#" has an empty search/hash but is still appended to.
  if (/[?#]/.test(url.href)) {
    // Shown without its password, query values or fragment: any of them may hold a token.
    const shown = redactUrl(t);
    throw bad('the registry API root without a query string or fragment (request paths are appended to it), such as http://localhost:8081/apis/ccompat/v7', shown);
  }
  return t;
}

const eventDurationOrOffBase = durationIn(MAX_EVENT_TIME_MS, false, 'or off');

/** The parsers of configOptions, by the kind of value they take. */
export const p = {
  text: (text: string): string => text,
  nonEmpty: (text: string): string => {
    if (text.trim() === '') throw bad('a non-empty value', text);
    return text.trim();
  },
  /** Event-time durations that may be zero (lateness, grace, dedup horizon). */
  eventDuration: durationIn(MAX_EVENT_TIME_MS, false),
  /** An event-time bound that `off` lifts (Infinity: nothing is beyond it); otherwise as eventDuration. */
  eventDurationOrOff: (text: string): number => (text.trim().toLowerCase() === 'off' ? Number.POSITIVE_INFINITY : eventDurationOrOffBase(text)),
  /** Event-time durations above zero (window, source TTL). */
  positiveEventDuration: durationIn(MAX_EVENT_TIME_MS, true),
  /** Durations used as (or like) timer delays: capped at what setTimeout takes. */
  timerDuration: durationIn(MAX_TIMER_MS, true, 'the longest timer Node.js supports, about 24.8 days'),
  /** Timer delays where 0 turns the timer off. */
  timerDurationOrOff: durationIn(MAX_TIMER_MS, false, 'the longest timer Node.js supports, about 24.8 days'),
  /**
   * A consumer-group session timeout: within the broker's default bounds
   * (group.min.session.timeout.ms 6 s, group.max.session.timeout.ms 30 min),
   * which refuse a join outside them.
   */
  sessionTimeout: (text: string): number => {
    // Any duration out of range gets this one message (30d too, past the longest timer): it is the range the doc states.
    const raw = parseDuration(text);
    if (Number.isNaN(raw)) throw bad(durationHint, text);
    const ms = Math.round(raw);
    if (!(ms >= 6_000 && ms <= 1_800_000)) throw bad('a duration from 6s to 30m (the broker refuses a session timeout outside its group.min/max.session.timeout.ms)', text);
    return ms;
  },
  /** Retention and tiering ages: long is fine, but finite whole milliseconds. */
  retentionDuration: durationIn(MAX_RETENTION_MS, true, 'about 285,000 years: long is fine, endless is not'),
  positiveInteger,
  /** Partitions of a Kafka topic: an int32 in CreateTopics. */
  partitionCount: kafkaCount(2_147_483_647),
  /** Replication factor of a Kafka topic: an int16 in CreateTopics. */
  replicationFactor: kafkaCount(32_767),
  port: (text: string): number => {
    const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!(n >= 0 && n <= 65535)) throw bad('a TCP port from 0 to 65535 (0 = disabled)', text);
    return n;
  },
  /** The levels the logger takes (lib/logger.ts LOG_LEVELS), trimmed, any case. */
  logLevel: (text: string): LevelWithSilent => {
    const t = text.trim().toLowerCase();
    if (!LOG_LEVELS.includes(t)) throw bad(`one of ${LOG_LEVELS.join(', ')}`, text);
    return t as LevelWithSilent;
  },
  brokers: (text: string): string[] => {
    const hint = 'a comma-separated list of host:port such as localhost:9092,kafka-2:9092';
    if (text === '') return []; // the default: no Kafka
    // user:password@host (some tools take one) must not be quoted back: the error goes to stderr and the run's log.
    // Looked for in the whole value, before the split: a password may hold a comma (or a "/", which ends a URL's
    // authority), so no entry's own bounds tell where it ends. Only what follows the last "@" is shown.
    const at = text.lastIndexOf('@');
    if (at >= 0) throw bad(`${hint}, without credentials: they go in KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (with KAFKA_SASL_MECHANISM)`, `[redacted]@${redactUrl(text.slice(at + 1).trim())}`);
    const list = commaList(text, `${hint}, at least one host:port`);
    for (const b of list) {
      const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(b);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw bad(hint, b);
    }
    return list;
  },
  topic: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(t) || t === '.' || t === '..') {
      throw bad('a Kafka topic name (letters, digits, ".", "_", "-"; at most 249 characters)', text);
    }
    return t;
  },
  /**
   * An engine instance id, the host name when unset: it goes into the Kafka transactional id, the store's
   * `instance_id`, metric labels and the audit's actor, so only characters every one of them takes as they are.
   */
  instanceId: (text: string): string => {
    const t = text.trim();
    const id = t || hostname();
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(id)) {
      const hint = 'an instance id (letters, digits, ".", "_", "-"; at most 249 characters)';
      throw bad(t ? hint : `${hint}: it is unset and the host name does not fit, so set it`, id);
    }
    return id;
  },
  internalTopic: (text: string): string => {
    const t = p.topic(text);
    if (!t.startsWith('driftwatch.internal.')) throw bad('a topic name starting with "driftwatch.internal." (internal topics carry that prefix)', text);
    return t;
  },
  identifier: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw bad('a database name (letters, digits and "_", not starting with a digit)', text);
    return t;
  },
  /**
   * The database of the store: sql/migrations create `driftwatch` and every statement names it, so another name
   * would write to one database and create another. Checked here, at start-up, for every command.
   */
  schemaDatabase: (text: string): string => {
    const t = p.identifier(text);
    if (t !== 'driftwatch') throw bad('driftwatch (the database sql/migrations create; other names are not supported yet)', text);
    return t;
  },
  httpUrl,
  registryUrl,
  /** Storage policy / volume names end up in SQL string literals: only characters that need no escaping. */
  storageName: (text: string): string => {
    const t = text.trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(t)) throw bad('a storage policy or volume name (letters, digits, "_", "-", ".")', text);
    return t;
  },
  /** true or false, any case (the documented spellings: no yes/1/on to guess from). */
  boolean: (text: string): boolean => {
    const t = text.trim().toLowerCase();
    if (t !== 'true' && t !== 'false') throw bad('true or false', text);
    return t === 'true';
  },
  /** Empty = no SASL. Any case: brokers and other clients write PLAIN, SCRAM-SHA-512. */
  saslMechanism: (text: string): SaslMechanism | null => {
    const t = text.trim().toLowerCase();
    if (t === '') return null;
    if (!(SASL_MECHANISMS as readonly string[]).includes(t)) throw bad(`one of ${SASL_MECHANISMS.join(', ')} (or empty: no SASL)`, text);
    return t as SaslMechanism;
  },
  alertFormat: (text: string): 'json' | 'avro' => {
    const t = text.trim().toLowerCase();
    if (t !== 'json' && t !== 'avro') throw bad('json or avro', text);
    return t;
  },
};
