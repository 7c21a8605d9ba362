/**
 * Decoding raw records (Kafka message values, NDJSON lines) into validated
 * envelopes or dead letters (SPEC §3: a bad record goes to the DLQ, it never
 * stops the pipeline and is never silently dropped).
 *
 * JSON is the default encoding and its path is fully synchronous: one
 * JSON.parse, one in-place validation (no copies of the event), one small
 * envelope object. Other encodings (Avro through a schema registry) plug in
 * through the `Decoder` seam; they may be asynchronous (a registry look-up on
 * the first record of a schema id), and the operator keeps record order either way.
 */
import { isUtf8 } from 'node:buffer';
import { Observable, type OperatorFunction } from 'rxjs';
import { validateDecodedEvent, type InputEventType } from '../schemas/input-events.js';
import { parseTimestamp } from '../lib/time.js';
import { isWellFormed, startOf } from '../lib/unicode.js';
import { partitionOfKey } from '../topics/key-partition.js';
import type { DeadLetter, DeadLetterCategory, Envelope, RecordHeaders, SourcePosition } from './facts.js';
import { envelopeKey } from './envelope-key.js';
import { clockFor, eventTimeProblem, watermarkTime, type FutureBound } from './event-time-bound.js';

/**
 * The most an input record may take, in bytes: an event is a few hundred.
 * 1 MiB, as Kafka's default message limit; replay bounds its lines by the
 * same figure (engine/ndjson-lines.ts), so both modes reject the same
 * records.
 */
export const MAX_EVENT_BYTES = 1 << 20;

/**
 * An envelope with the record it came from (which the envelope does not keep:
 * the orderer holds envelopes a while, and the record's bytes need not stay
 * alive with them), for a dead letter of a valid event (reused-event-id.ts);
 * or a dead letter.
 */
export type DecodeResult = { ok: true; envelope: Envelope; record: RawRecord } | { ok: false; deadLetter: DeadLetter };

/** A record as it comes off a topic or out of a file, before decoding. */
export interface RawRecord {
  value: string | Buffer;
  key?: string | Buffer | null;
  headers?: RecordHeaders;
  source?: SourcePosition;
  /**
   * The event type the record's topic carries (live mode: SPEC §2 gives each
   * input topic one type). Unset for files, which mix all three.
   */
  expectedType?: InputEventType;
  /**
   * The partition count of the record's topic (live mode): a keyed record
   * must be on the partition its key maps to (topics/key-partition.ts).
   * Unset for files.
   */
  partitions?: number;
  /**
   * Set when only the start of the record could be read (a file line over
   * the reader's limit, engine/ndjson-lines.ts): its full length and that
   * limit. Such a record is dead-lettered whatever its start holds.
   */
  overLong?: { bytes: number; limit: number };
}

/**
 * Turns the bytes of one record into a plain value that is then validated
 * against the input schemas. May return a promise (e.g. a schema-registry
 * look-up); may throw, which dead-letters the record.
 */
export interface Decoder {
  /** Names the encoding in dead-letter reasons: `invalid <name>: <message>`. */
  readonly name: string;
  decode(raw: string | Buffer): unknown;
}

export const jsonDecoder: Decoder = {
  name: 'JSON',
  decode: (raw) => parseJson(raw),
};

/**
 * JSON.parse of a record's text. A text behind a byte order mark (some
 * serializers write one; RFC 8259 §8.1 forbids it on the wire) fails with a
 * reason saying so: the parser's own names an invisible "Unexpected token".
 * Looked at only once parsing has failed.
 */
export function parseJson(raw: string | Buffer): unknown {
  const text = textOf(raw);
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.charCodeAt(0) === 0xfeff) {
      throw new Error('starts with a UTF-8 byte order mark (bytes EF BB BF), which a JSON text sent over a network must not carry (RFC 8259 §8.1): serialize the event without one');
    }
    throw err;
  }
}

/**
 * The text of a record's bytes, which must be valid UTF-8 (RFC 8259 §8.1).
 * `toString('utf8')` alone would turn invalid bytes into U+FFFD and the
 * event would be processed and stored with a corrupted field (an instance
 * name, a digest) instead of being dead-lettered.
 */
export function textOf(raw: string | Buffer): string {
  if (typeof raw === 'string') return raw;
  if (!isUtf8(raw)) throw new Error('not valid UTF-8');
  return raw.toString('utf8');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function reject(record: RawRecord, reason: string, category: DeadLetterCategory): DecodeResult {
  return {
    ok: false,
    deadLetter: { reason, category, raw: record.value, key: record.key, headers: record.headers, source: record.source },
  };
}

/**
 * Validates a decoded value and wraps it in an envelope. The event object is
 * the decoded value itself (validation checks in place and never copies),
 * except for an event with an optional string sent as "": a copy without it.
 *
 * A record that came with a key (a Kafka message: `key` is a Buffer, a string
 * or null) must be keyed `<env>/<artifact>` of its event (SPEC §2). The
 * topics are co-partitioned by that key so that one member owns every event
 * of a key and the key's state lives in that partition's changelog; an event
 * on another partition would be judged against state its partition does not
 * hold and would move the key's state to a second changelog partition, from
 * which a restart could restore an older copy. Such a record is dead-lettered
 * with the key it should have had. File records have no key (undefined).
 * The right key on another partition than murmur2 of it gives (a producer
 * whose client partitions otherwise: librdkafka's default is CRC32) splits
 * the key the same way, and silently: its promotions and observations can
 * reach different members, which then never join them. Such a record is
 * dead-lettered naming the partition it belongs on.
 * Likewise a record whose event type is not the one its topic carries
 * (`expectedType`) is dead-lettered.
 */
export function toEnvelope(value: unknown, record: RawRecord, bound?: FutureBound, stringsWellFormed = false): DecodeResult {
  const checked = validateDecodedEvent(value, stringsWellFormed);
  if (!checked.ok) return reject(record, checked.error, 'invalid_event');
  const event = checked.event;
  // A producer writing to the wrong topic would otherwise go unnoticed: the
  // event is valid and would be processed as if it came from its own topic.
  if (record.expectedType !== undefined && event.type !== record.expectedType) {
    const on = record.source?.topic === undefined ? '' : ` on topic ${record.source.topic}`;
    return reject(record, `type: expected "${record.expectedType}"${on} (each input topic carries one event type), got "${event.type}"`, 'wrong_topic');
  }
  const key = envelopeKey(event.env, event.artifact);
  if (record.key !== undefined) {
    const got = record.key === null ? null : typeof record.key === 'string' ? record.key : record.key.toString('utf8');
    if (got !== key) {
      return reject(record, `key: expected "${key}" (<env>/<artifact> of the event, which the input topics are partitioned by), got ${got === null ? 'none' : JSON.stringify(truncate(got, 200))}`, 'wrong_key');
    }
    const misplaced = partitionProblem(key, record);
    if (misplaced !== undefined) return reject(record, misplaced, 'wrong_partition');
  }
  const at = parseTimestamp(event.occurredAt);
  // One reading of the clock judges the event and caps its watermark time.
  const now = clockFor(at, bound);
  const problem = eventTimeProblem(at, bound, now);
  if (problem !== undefined) return reject(record, problem.reason, problem.category);
  // watermarkAt only where the clock caps it (Envelope: unset means `at`): a number field holds a boxed double, 12
  // bytes more per event, and the orderer keeps each envelope long enough for the young-generation collector to copy
  // it. Present either way (undefined), so that every envelope has one shape.
  const watermarkAt = watermarkTime(at, bound, now);
  return { ok: true, envelope: { event, at, watermarkAt: watermarkAt === at ? undefined : watermarkAt, key, source: record.source }, record };
}

/**
 * Why a keyed record is on the wrong partition, or undefined. Not judged
 * without a partition count, nor on a partition beyond it (partitions were
 * added since the count was read: it is refreshed at the next assignment).
 */
function partitionProblem(key: string, record: RawRecord): string | undefined {
  const count = record.partitions;
  const got = record.source?.partition;
  if (count === undefined || got === undefined || got >= count) return undefined;
  // The key's bytes as they came (what the producer's partitioner hashed; no copy), equal to `key` in UTF-8.
  const expected = partitionOfKey(typeof record.key === 'object' && record.key !== null ? record.key : key, count);
  if (got === expected) return undefined;
  return (
    `partition: key ${JSON.stringify(truncate(key, 200))} belongs on partition ${expected} of the ${count} of ${record.source?.topic ?? 'its topic'} ` +
    "(murmur2 of the key, the Java client's default partitioner, which every producer of the co-partitioned inputs must use), " +
    `got partition ${got}: the producer places keys otherwise: another partitioner or an explicit partition (librdkafka: set partitioner=murmur2_random; kafkajs: Partitioners.DefaultPartitioner)`
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${startOf(text, max)}…`;
}

/** One JSON record, synchronously (tests and tools; the pipeline decodes through `decodeRecords`). */
export function decodeJsonRecord(raw: string | Buffer, source?: SourcePosition, bound?: FutureBound): DecodeResult {
  return decodeRecord({ value: raw, source }, jsonDecoder, bound) as DecodeResult; // the JSON decoder never returns a promise
}

/**
 * Whether every string JSON.parse made of `raw` (which it parsed) is
 * well-formed Unicode, so that validation need not look for lone surrogates
 * field by field (schemas/input-events.ts validateDecodedEvent): a JSON
 * string without escapes is a piece of the text between two quotes, which
 * cannot split a surrogate pair; only an escape (`\ud800`) makes a lone
 * surrogate of a well-formed text. Bytes that parsed were valid UTF-8
 * (`textOf`), whose text has none; a string is looked at (natively: at once
 * when it holds no character above U+00FF, as a line read as latin1).
 */
function jsonStringsWellFormed(raw: string | Buffer): boolean {
  return typeof raw === 'string' ? raw.indexOf('\\') === -1 && isWellFormed(raw) : raw.indexOf(BACKSLASH) === -1;
}

const BACKSLASH = 0x5c;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Decodes one record with any decoder; synchronous when the decoder is. Never rejects for a bad record. */
export function decodeRecord(record: RawRecord, decoder: Decoder = jsonDecoder, bound?: FutureBound): DecodeResult | Promise<DecodeResult> {
  if (record.overLong !== undefined) {
    return reject(record, `line of ${record.overLong.bytes} bytes: longer than the ${record.overLong.limit} an input line may hold (one event; Kafka's default message limit is 1 MB); only its start was read`, 'too_large');
  }
  // A message (a Buffer: its length is in bytes) over the bound a replay line has, where a broker allows one.
  if (typeof record.value !== 'string' && record.value.length > MAX_EVENT_BYTES) {
    return reject(record, `message of ${record.value.length} bytes: longer than the ${MAX_EVENT_BYTES} an input event may take (replay rejects such a line too)`, 'too_large');
  }
  // A Kafka tombstone (null value) or an empty message: say so rather than "Unexpected end of JSON input".
  if (record.value.length === 0) return reject(record, 'empty value (a tombstone or an empty message): expected an event', 'empty');
  let decoded: unknown;
  try {
    decoded = decoder.decode(record.value);
  } catch (err) {
    return reject(record, `invalid ${decoder.name}: ${messageOf(err)}`, 'invalid_encoding');
  }
  if (!isThenable(decoded)) return toEnvelope(decoded, record, bound, decoder === jsonDecoder && jsonStringsWellFormed(record.value));
  return Promise.resolve(decoded).then(
    (value) => toEnvelope(value, record, bound),
    (err: unknown) => reject(record, `invalid ${decoder.name}: ${messageOf(err)}`, 'invalid_encoding'),
  );
}

/**
 * Told of every record that waits in the decode queue (see `decodeRecords`):
 * `queued` when it joins, `released` right before its result is emitted.
 * Records decoded synchronously never wait and are not reported.
 */
export interface DecodeQueueListener {
  queued(record: RawRecord): void;
  released(record: RawRecord): void;
}

/**
 * RxJS operator: raw records in, one DecodeResult out per record, in input
 * order. Results are emitted synchronously while the decoder answers
 * synchronously; once a decoder returns a promise, later records queue behind
 * it (decoding still starts at once) so order is kept. Completion waits for
 * the queue to drain. `queue` hears of the records that wait (the pipeline
 * counts them: a registry outage holds them all, engine/pipeline.ts).
 */
export function decodeRecords(decoder: Decoder = jsonDecoder, bound?: FutureBound, queue?: DecodeQueueListener): OperatorFunction<RawRecord, DecodeResult> {
  return (source) =>
    new Observable<DecodeResult>((subscriber) => {
      let tail: Promise<void> | null = null;
      let pending = 0;
      let completed = false;
      const emit = (result: DecodeResult): void => {
        pending--;
        if (!subscriber.closed) subscriber.next(result);
        if (pending === 0) {
          tail = null;
          if (completed) subscriber.complete();
        }
      };
      const fail = (err: unknown): void => subscriber.error(err);
      return source.subscribe({
        next: (record) => {
          const result = decodeRecord(record, decoder, bound);
          if (tail === null && !isThenable(result)) {
            subscriber.next(result);
            return;
          }
          pending++;
          queue?.queued(record);
          const settled = Promise.resolve(result);
          const release = (decoded: DecodeResult): void => {
            queue?.released(record);
            emit(decoded);
          };
          tail = (tail ?? Promise.resolve()).then(() => settled).then(release, fail);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          completed = true;
          if (pending === 0) subscriber.complete();
        },
      });
    });
}
