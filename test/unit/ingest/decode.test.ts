import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray, Subject } from 'rxjs';
import { decodeJsonRecord, decodeRecord, decodeRecords, MAX_EVENT_BYTES, type Decoder, type DecodeResult, type RawRecord } from '../../../processors/decode.js';
import { T0, hydration, indexOp, promotion } from './events.js';
import { partitionOfKey } from '../../../topics/key-partition.js';

const BOM_REASON =
  'invalid JSON: starts with a UTF-8 byte order mark (bytes EF BB BF), which a JSON text sent over a network must not carry (RFC 8259 §8.1): serialize the event without one';

function envelopeOf(r: DecodeResult) {
  if (!r.ok) throw new Error(`expected an envelope, got dead letter: ${r.deadLetter.reason}`);
  return r.envelope;
}
function deadLetterOf(r: DecodeResult) {
  if (r.ok) throw new Error('expected a dead letter');
  return r.deadLetter;
}

describe('decodeJsonRecord', () => {
  it('decodes a valid event into an envelope with event time, key and source', () => {
    const raw = JSON.stringify(hydration('h-1', T0 + 1234));
    const env = envelopeOf(decodeJsonRecord(raw, { line: 7 }));
    expect(env.at).toBe(T0 + 1234);
    expect(env.key).toBe('prod/search-index');
    expect(env.source).toEqual({ line: 7 });
    expect(env.event.type).toBe('hydration');
    expect(env.event.eventId).toBe('h-1');
  });

  it('accepts a Buffer and ignores unknown fields', () => {
    const raw = Buffer.from(JSON.stringify(indexOp('i-1', T0, { extra: { nested: true }, region: 'eu' })), 'utf8');
    const env = envelopeOf(decodeJsonRecord(raw));
    expect(env.event.eventId).toBe('i-1');
    expect(env.at).toBe(T0);
  });

  it('parses timestamps with an offset into UTC epoch ms', () => {
    const raw = JSON.stringify({ ...promotion('p-1', T0), occurredAt: '2026-11-27T13:00:00.000+01:00' });
    expect(envelopeOf(decodeJsonRecord(raw)).at).toBe(T0);
  });

  it('a message over 1 MiB is too large, valid or not (replay rejects such a line too); one at the bound is read', () => {
    const event = { ...promotion('p-1', T0), pad: '' };
    const sized = (bytes: number) => {
      const base = Buffer.byteLength(JSON.stringify(event));
      return Buffer.from(JSON.stringify({ ...event, pad: 'x'.repeat(bytes - base) }));
    };
    const over = deadLetterOf(decodeJsonRecord(sized(MAX_EVENT_BYTES + 1), { topic: 't', partition: 0, offset: '7' }));
    expect(over.category).toBe('too_large');
    expect(over.reason).toBe(`message of ${MAX_EVENT_BYTES + 1} bytes: longer than the ${MAX_EVENT_BYTES} an input event may take (replay rejects such a line too)`);
    expect(envelopeOf(decodeJsonRecord(sized(MAX_EVENT_BYTES))).event.eventId).toBe('p-1');
  });

  it('reads the other RFC 3339 forms: lower-case t and z (§5.6), no fraction, up to 9 fraction digits', () => {
    for (const occurredAt of ['2026-11-27t12:00:00.000z', '2026-11-27T12:00:00Z', '2026-11-27T12:00:00.000000000Z', '2026-11-27t13:00:00+01:00']) {
      expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).at).toBe(T0);
    }
    for (const occurredAt of ['2026-11-27 12:00:00.000Z', '2026-11-27T12:00:00.000', '2026-11-27T12:00Z', '20261127T120000Z']) {
      expect(deadLetterOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).reason).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
    }
  });

  it('reads any number of fraction digits (RFC 3339 time-secfrac is 1*DIGIT), truncated to ms', () => {
    for (const [occurredAt, ms] of [['2026-11-27T12:00:00.1234567890Z', 123], ['2026-11-27T12:00:00.9999999999999999Z', 999], ['2026-11-27T13:00:00.0000000000001+01:00', 0]] as const) {
      expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).at, occurredAt).toBe(T0 + ms);
    }
  });

  it('reads a leap second (23:59:60 UTC at a month\'s end, RFC 3339 §5.7) as the last millisecond before the next day; dead-letters :60 anywhere else', () => {
    const last = Date.parse('2016-12-31T23:59:59.999Z');
    for (const occurredAt of ['2016-12-31T23:59:60Z', '2016-12-31T23:59:60.000Z', '2016-12-31T23:59:60.5Z', '2017-01-01T05:29:60+05:30', '2016-12-31t23:59:60.999999z']) {
      expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).at, occurredAt).toBe(last);
    }
    expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt: '2015-06-30T23:59:60Z' }))).at).toBe(Date.parse('2015-06-30T23:59:59.999Z'));
    for (const occurredAt of ['2016-12-30T23:59:60Z', '2016-12-31T22:59:60Z', '2016-12-31T23:58:60Z', '2016-12-31T23:59:60+01:00', '2016-12-31T23:59:61Z']) {
      expect(deadLetterOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).reason, occurredAt).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
    }
  });

  it("dead-letters hour 24 (RFC 3339 hours run 00-23; Date.parse would read it as the next day's midnight) and other clock values out of range", () => {
    for (const occurredAt of ['2026-11-27T24:00:00.000Z', '2026-11-27T24:00:00Z', '2026-11-27T24:00:00+01:00', '2026-11-27T23:60:00Z', '2026-11-27T23:59:60Z', '2026-11-27T10:00:00+24:00']) {
      expect(deadLetterOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).reason, occurredAt).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
    }
    expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt: '2026-11-27T23:59:59+01:00' }))).at).toBe(Date.parse('2026-11-27T22:59:59.000Z'));
  });

  it('dead-letters a day the month does not have instead of moving it to the next month (Date.parse\'s rollover)', () => {
    for (const occurredAt of ['2026-02-30T12:00:12.000Z', '2026-02-29T00:00:00.000Z', '2026-04-31T00:00:00Z', '2100-02-29t00:00:00.000z', '2026-02-30T13:00:00+01:00']) {
      expect(deadLetterOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).reason, occurredAt).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
    }
    for (const [occurredAt, iso] of [['2028-02-29T00:00:00.000Z', '2028-02-29T00:00:00.000Z'], ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'], ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z']] as const) {
      expect(envelopeOf(decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }))).at, occurredAt).toBe(Date.parse(iso));
    }
  });

  it('reads times of one day after another, and of a day the month lacks after its valid neighbours, each as Date.parse does', () => {
    const times = ['2026-02-28T00:00:00.000Z', '2026-02-28T23:59:59.999Z', '2026-02-29T00:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-02-28T24:00:00.000Z', '2026-03-01T00:00:00.001Z', '2026-03-01T00:00:00.001Z'];
    const got = times.map((occurredAt) => {
      const r = decodeJsonRecord(JSON.stringify({ ...promotion('p-1', T0), occurredAt }));
      return r.ok ? r.envelope.at : 'rejected';
    });
    expect(got).toEqual([Date.parse(times[0]!), Date.parse(times[1]!), 'rejected', Date.parse(times[3]!), 'rejected', Date.parse(times[5]!), Date.parse(times[5]!)]);
  });

  it('dead-letters JSON behind a UTF-8 byte order mark saying so (the parser would name an invisible character)', () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(hydration('h-bom', T0)))]);
    const dl = deadLetterOf(decodeJsonRecord(raw));
    expect(dl.reason).toBe(BOM_REASON);
    expect(dl.category).toBe('invalid_encoding');
    expect(dl.raw).toBe(raw);
  });

  it('takes an optional string sent empty as absent (a Go zero value, a POJO field never set), not as a reason to dead-letter', () => {
    // SPEC §3 dead-letters a missing or ill-typed *required* field; an ok hydration with error "" is a valid event.
    const h = envelopeOf(decodeJsonRecord(JSON.stringify(hydration('h-e', T0, { error: '', correlationId: '' }))));
    expect(h.event).not.toHaveProperty('error');
    expect(h.event).not.toHaveProperty('correlationId');
    const i = envelopeOf(decodeJsonRecord(JSON.stringify(indexOp('i-e', T0, { shard: '' }))));
    expect(i.event).not.toHaveProperty('shard');
    const p = envelopeOf(decodeJsonRecord(JSON.stringify(promotion('p-e', T0, { fromEnv: '', actor: '', reason: '' }))));
    expect(Object.keys(p.event)).not.toEqual(expect.arrayContaining(['fromEnv']));
    expect(p.event).not.toHaveProperty('actor');
    // Required strings stay required, and a required-on-some-phases field sent empty is still missing.
    expect(deadLetterOf(decodeJsonRecord(JSON.stringify(hydration('h-r', T0, { instance: '' })))).reason).toBe('instance: must not be empty');
    expect(deadLetterOf(decodeJsonRecord(JSON.stringify(promotion('p-r', T0, { digest: '' })))).reason).toBe('digest: is required when phase is started');
  });

  it('dead-letters malformed JSON with the parser message and the original bytes', () => {
    const raw = Buffer.from('{"type": "index", oops}');
    const dl = deadLetterOf(decodeJsonRecord(raw, { topic: 't', partition: 2, offset: '41' }));
    let parserMessage = '';
    try {
      JSON.parse(raw.toString());
    } catch (err) {
      parserMessage = (err as Error).message;
    }
    expect(dl.reason).toBe(`invalid JSON: ${parserMessage}`);
    expect(dl.raw).toBe(raw);
    expect(dl.source).toEqual({ topic: 't', partition: 2, offset: '41' });
  });

  it('dead-letters a JSON value that is not an object', () => {
    expect(deadLetterOf(decodeJsonRecord('42')).reason).toBe('expected a JSON object');
    expect(deadLetterOf(decodeJsonRecord('[]')).reason).toBe('expected a JSON object');
  });

  it('dead-letters an event failing validation with a reason naming the field', () => {
    const { servedDigest: _omit, ...noDigest } = indexOp('i-2', T0);
    expect(deadLetterOf(decodeJsonRecord(JSON.stringify(noDigest))).reason).toBe('servedDigest: is required');
    const badType = JSON.stringify(hydration('h-2', T0, { durationMs: 'slow' }));
    expect(deadLetterOf(decodeJsonRecord(badType)).reason).toBe('durationMs: expected a number, got "slow"');
    const overflow = JSON.stringify(hydration('h-4', T0, { durationMs: 1 })).replace('"durationMs":1', '"durationMs":1e999');
    expect(deadLetterOf(decodeJsonRecord(overflow)).reason).toBe('durationMs: expected a finite number, got Infinity');
    const badTime = JSON.stringify({ ...hydration('h-3', T0), occurredAt: 'yesterday' });
    expect(deadLetterOf(decodeJsonRecord(badTime)).reason).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
  });
});

describe('decodeRecord: what a Kafka record must also be', () => {
  const event = JSON.stringify(hydration('h-1', T0)); // prod/search-index
  const decode = (record: RawRecord) => decodeRecord(record) as DecodeResult;

  it('accepts a record keyed <env>/<artifact> of its event, as a string or as bytes', () => {
    expect(envelopeOf(decode({ value: event, key: 'prod/search-index' })).key).toBe('prod/search-index');
    expect(envelopeOf(decode({ value: Buffer.from(event), key: Buffer.from('prod/search-index') })).key).toBe('prod/search-index');
    expect(envelopeOf(decode({ value: event })).key).toBe('prod/search-index'); // a file line has no key
  });

  it('dead-letters a record keyed for another key, or with no key: it would split the key over two partitions', () => {
    const wrong = deadLetterOf(decode({ value: event, key: Buffer.from('staging/zzz'), source: { topic: 'h', partition: 0, offset: '3' } }));
    expect(wrong.reason).toBe('key: expected "prod/search-index" (<env>/<artifact> of the event, which the input topics are partitioned by), got "staging/zzz"');
    expect(wrong.raw).toBe(event);
    expect(wrong.source).toEqual({ topic: 'h', partition: 0, offset: '3' });
    expect(deadLetterOf(decode({ value: event, key: null })).reason).toMatch(/^key: expected "prod\/search-index" .*, got none$/);
  });

  it('dead-letters an event that is not of the type its topic carries, and accepts the type it is', () => {
    const source = { topic: 'driftwatch.promotion.v1', partition: 1, offset: '9' };
    const wrong = deadLetterOf(decode({ value: event, key: 'prod/search-index', source, expectedType: 'promotion' }));
    expect(wrong.reason).toBe('type: expected "promotion" on topic driftwatch.promotion.v1 (each input topic carries one event type), got "hydration"');
    expect(wrong.raw).toBe(event);
    expect(wrong.source).toEqual(source);
    expect(envelopeOf(decode({ value: event, key: 'prod/search-index', expectedType: 'hydration' })).event.type).toBe('hydration');
  });

  it('reports a validation error before a key mismatch (the key of a broken event is unknown)', () => {
    expect(deadLetterOf(decode({ value: '[1]', key: null })).reason).toBe('expected a JSON object');
  });

  it('dead-letters bytes that are not UTF-8 instead of storing replacement characters', () => {
    const bytes = Buffer.concat([Buffer.from(event.replace('"search-index"', '"search-index","instance":"i')), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const dl = deadLetterOf(decode({ value: bytes, key: 'prod/search-index' }));
    expect(dl.reason).toBe('invalid JSON: not valid UTF-8');
    expect(dl.raw).toBe(bytes);
    expect(deadLetterOf(decodeJsonRecord(bytes)).reason).toBe('invalid JSON: not valid UTF-8');
  });

  it('says a tombstone or an empty message is empty', () => {
    expect(deadLetterOf(decode({ value: Buffer.alloc(0), key: 'prod/search-index' })).reason).toBe('empty value (a tombstone or an empty message): expected an event');
  });
});

describe('lone surrogates in a JSON text', () => {
  const reason = 'instance: not well-formed Unicode: holds a lone surrogate (an unpaired \\uD800–\\uDFFF escape)';
  it('dead-letters one escaped, one written as is, as a string and as bytes; accepts other escapes and surrogate pairs', () => {
    const escaped = JSON.stringify(hydration('h-1', T0, { instance: 'a\ud800' }));
    expect(escaped).toContain('\\ud800');
    expect(deadLetterOf(decodeJsonRecord(escaped)).reason).toBe(reason);
    expect(deadLetterOf(decodeJsonRecord(Buffer.from(escaped))).reason).toBe(reason);
    const asIs = escaped.replace('\\ud800', '\ud800');
    expect(deadLetterOf(decodeJsonRecord(asIs)).reason).toBe(reason);
    expect(envelopeOf(decodeJsonRecord(JSON.stringify(hydration('h-2', T0, { instance: 'a"\\b', error: 'c\nd' })))).event).toMatchObject({ instance: 'a"\\b' });
    expect(envelopeOf(decodeJsonRecord(JSON.stringify(hydration('h-3', T0, { instance: 'a\u{1F600}' })))).event).toMatchObject({ instance: 'a\u{1F600}' });
    expect(envelopeOf(decodeJsonRecord(Buffer.from(JSON.stringify(hydration('h-4', T0, { instance: 'a\u{1F600}' }))))).event).toMatchObject({ instance: 'a\u{1F600}' });
  });
});

describe('event time out of range: ahead of the wall clock (DRIFTWATCH_MAX_FUTURE_SKEW), before the epoch', () => {
  const bound = { maxAheadMs: 5 * 60_000, now: () => T0 };
  const at = (ms: number): RawRecord => ({ value: JSON.stringify(hydration('h-1', ms)), source: { line: 3 } });

  it('accepts an event up to the bound ahead of the clock, and any event in the past', () => {
    expect(envelopeOf(decodeRecord(at(T0 + 5 * 60_000), undefined, bound) as DecodeResult).at).toBe(T0 + 5 * 60_000);
    expect(envelopeOf(decodeRecord(at(T0 - 365 * 86_400_000), undefined, bound) as DecodeResult).at).toBe(T0 - 365 * 86_400_000);
  });

  it('keeps the occurredAt of an event dated ahead, but caps the event time it moves the watermark to at the clock (not with the bound off)', () => {
    const ahead = envelopeOf(decodeRecord(at(T0 + 120_000), undefined, bound) as DecodeResult);
    expect([ahead.at, ahead.watermarkAt]).toEqual([T0 + 120_000, T0]);
    const past = envelopeOf(decodeRecord(at(T0 - 1000), undefined, bound) as DecodeResult);
    expect([past.at, past.watermarkAt ?? past.at]).toEqual([T0 - 1000, T0 - 1000]);
    const off = envelopeOf(decodeRecord(at(T0 + 120_000), undefined, { ...bound, maxAheadMs: Number.POSITIVE_INFINITY }) as DecodeResult);
    expect([off.at, off.watermarkAt ?? off.at]).toEqual([T0 + 120_000, T0 + 120_000]);
  });

  it('dead-letters an event further ahead, naming the bound and its option (not the clock: same input, same reason)', () => {
    const dl = deadLetterOf(decodeRecord(at(T0 + 5 * 60_000 + 1), undefined, bound) as DecodeResult);
    expect(dl.reason).toBe(
      `occurredAt: ${new Date(T0 + 5 * 60_000 + 1).toISOString()} is more than 5m (DRIFTWATCH_MAX_FUTURE_SKEW) ahead of this instance's clock: ` +
        'a wrong producer clock or a corrupted timestamp; not processed, so it cannot move the watermark',
    );
    expect(dl.source).toEqual({ line: 3 });
    expect(dl.category).toBe('future_time');
    const year9999 = deadLetterOf(decodeRecord({ value: JSON.stringify({ ...hydration('h-2', T0), occurredAt: '9999-12-31T23:59:59.999Z' }) }, undefined, { maxAheadMs: 90_000, now: Date.now }) as DecodeResult);
    expect(year9999.reason).toMatch(/^occurredAt: 9999-12-31T23:59:59.999Z is more than 90s \(DRIFTWATCH_MAX_FUTURE_SKEW\) ahead/);
  });

  it('judges every event by the clock as it reads now: an injected clock set back judges the next event by the new reading', () => {
    let clock = T0;
    const moving = { maxAheadMs: 60_000, now: () => clock };
    expect(envelopeOf(decodeRecord(at(T0 - 1000), undefined, moving) as DecodeResult).at).toBe(T0 - 1000);
    clock = T0 - 120_000;
    expect(deadLetterOf(decodeRecord(at(T0 - 1000), undefined, moving) as DecodeResult).category).toBe('future_time');
  });

  it('with the wall clock, reads it again for an event later than the last reading: past events do not let a future one through', () => {
    const wall = { maxAheadMs: 60_000, now: Date.now };
    const past = envelopeOf(decodeRecord(at(T0 - 1000), undefined, wall) as DecodeResult);
    expect([past.at, past.watermarkAt ?? past.at]).toEqual([T0 - 1000, T0 - 1000]);
    expect(deadLetterOf(decodeRecord(at(Date.now() + 3_600_000), undefined, wall) as DecodeResult).category).toBe('future_time');
    const ahead = envelopeOf(decodeRecord(at(Date.now() + 30_000), undefined, wall) as DecodeResult);
    expect(ahead.watermarkAt).toBeLessThan(ahead.at);
  });

  it('dead-letters an event before the Unix epoch, bound or not (the store could not keep it)', () => {
    for (const occurredAt of ['1969-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z']) {
      const dl = deadLetterOf(decodeRecord({ value: JSON.stringify({ ...hydration('h-3', T0), occurredAt }) }) as DecodeResult);
      expect(dl.reason).toBe(`occurredAt: ${occurredAt} is before 1970-01-01T00:00:00.000Z (the Unix epoch): a corrupted or unset timestamp; not processed`);
      expect(dl.category).toBe('before_epoch');
    }
    expect(envelopeOf(decodeRecord({ value: JSON.stringify({ ...hydration('h-4', T0), occurredAt: '1970-01-01T00:00:00.000Z' }) }) as DecodeResult).at).toBe(0);
  });

  it('applies in the operator, and only with a bound', () => {
    const seen: DecodeResult[] = [];
    const input = new Subject<RawRecord>();
    input.pipe(decodeRecords(undefined, bound)).subscribe((r) => seen.push(r));
    input.next(at(T0 + 86_400_000));
    expect(seen[0]!.ok).toBe(false);
    expect(envelopeOf(decodeRecord(at(T0 + 86_400_000)) as DecodeResult).at).toBe(T0 + 86_400_000);
  });
});

describe('the partition a keyed record came on (co-partitioning, SPEC §2)', () => {
  // prod/search-index is on partition 2 of 6 by murmur2 (the Java client's default partitioner); librdkafka's
  // default (consistent_random, CRC32) puts it on 3, kafkajs's LegacyPartitioner on 0.
  const key = 'prod/search-index';
  const on = (partition: number, partitions?: number): RawRecord => ({
    value: JSON.stringify(hydration('h-p', T0)),
    key,
    source: { topic: 'driftwatch.hydration.v1', partition, offset: '5' },
    partitions,
  });

  it('accepts a record on the partition murmur2 of its key gives', () => {
    expect(partitionOfKey(key, 6)).toBe(2);
    expect(envelopeOf(decodeRecord(on(2, 6)) as DecodeResult).key).toBe(key);
    // A Kafka message's key comes as bytes: hashed as they came.
    expect(envelopeOf(decodeRecord({ ...on(2, 6), key: Buffer.from(key) }) as DecodeResult).key).toBe(key);
    expect(deadLetterOf(decodeRecord({ ...on(3, 6), key: Buffer.from(key) }) as DecodeResult).category).toBe('wrong_partition');
  });

  it('dead-letters one its producer placed elsewhere, naming the partition it belongs on and the partitioner', () => {
    const dl = deadLetterOf(decodeRecord(on(3, 6)) as DecodeResult);
    expect(dl.category).toBe('wrong_partition');
    expect(dl.reason).toBe(
      'partition: key "prod/search-index" belongs on partition 2 of the 6 of driftwatch.hydration.v1 (murmur2 of the key, the Java ' +
        "client's default partitioner, which every producer of the co-partitioned inputs must use), got partition 3: the producer " +
        'places keys otherwise: another partitioner or an explicit partition (librdkafka: set partitioner=murmur2_random; kafkajs: Partitioners.DefaultPartitioner)',
    );
    expect(dl.key).toBe(key);
  });

  it('is not judged without the partition count (a file record), nor on a partition beyond a count not yet refreshed', () => {
    expect(decodeRecord(on(3)).valueOf()).toMatchObject({ ok: true });
    expect(decodeRecord(on(7, 6)).valueOf()).toMatchObject({ ok: true });
  });
});

describe('dead-letter categories (the metric label)', () => {
  it('tells the kinds of rejection apart', () => {
    const category = (record: RawRecord) => deadLetterOf(decodeRecord(record) as DecodeResult).category;
    expect(category({ value: '{oops' })).toBe('invalid_encoding');
    expect(category({ value: Buffer.alloc(0) })).toBe('empty');
    expect(category({ value: '[1]' })).toBe('invalid_event');
    expect(category({ value: JSON.stringify(hydration('h', T0, { durationMs: 'slow' })) })).toBe('invalid_event');
    expect(category({ value: JSON.stringify(hydration('h', T0)), expectedType: 'index' })).toBe('wrong_topic');
    expect(category({ value: JSON.stringify(hydration('h', T0)), key: 'prod/other' })).toBe('wrong_key');
    expect(category({ value: JSON.stringify(hydration('h', T0)), key: 'prod/search-index', source: { partition: 3 }, partitions: 6 })).toBe('wrong_partition');
  });
});

describe('decodeRecords operator', () => {
  it('decodes JSON records synchronously, in order, keeping key and headers on dead letters', () => {
    const input = new Subject<RawRecord>();
    const seen: DecodeResult[] = [];
    input.pipe(decodeRecords()).subscribe((r) => seen.push(r));
    input.next({ value: JSON.stringify(promotion('p-1', T0)), key: 'prod/search-index' });
    expect(seen).toHaveLength(1); // no microtask needed on the JSON path
    input.next({ value: 'not json', key: 'k', headers: { 'x-trace': 'abc' }, source: { partition: 1, offset: '9' } });
    expect(seen).toHaveLength(2);
    expect(envelopeOf(seen[0]!).event.eventId).toBe('p-1');
    const dl = deadLetterOf(seen[1]!);
    expect(dl.key).toBe('k');
    expect(dl.headers).toEqual({ 'x-trace': 'abc' });
    expect(dl.source).toEqual({ partition: 1, offset: '9' });
    expect(dl.raw).toBe('not json');
  });

  it('keeps record order with an asynchronous decoder whose answers arrive out of order', async () => {
    const resolvers: Array<() => void> = [];
    // A stand-in for a schema-registry decoder: some records need an async look-up.
    const decoder: Decoder = {
      name: 'Avro',
      decode: (raw) => {
        const text = raw.toString();
        if (text.startsWith('sync:')) return JSON.parse(text.slice(5));
        if (text === 'throw') throw new Error('magic byte 7, expected 0');
        if (text === 'reject') return Promise.reject(new Error('schema id 99 not found'));
        return new Promise((resolve) => resolvers.push(() => resolve(JSON.parse(text))));
      },
    };
    const records: RawRecord[] = [
      { value: 'sync:' + JSON.stringify(hydration('a', T0)) },
      { value: JSON.stringify(hydration('b', T0)) },
      { value: 'sync:' + JSON.stringify(hydration('c', T0)) },
      { value: 'throw' },
      { value: JSON.stringify(hydration('d', T0)) },
      { value: 'reject' },
    ];
    const done = lastValueFrom(from(records).pipe(decodeRecords(decoder), toArray()));
    // Answer the async look-ups in reverse order.
    resolvers.reverse().forEach((r) => r());
    const results = await done;
    expect(results.map((r) => (r.ok ? r.envelope.event.eventId : r.deadLetter.reason))).toEqual([
      'a',
      'b',
      'c',
      'invalid Avro: magic byte 7, expected 0',
      'd',
      'invalid Avro: schema id 99 not found',
    ]);
  });
});
