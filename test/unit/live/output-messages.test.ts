import { describe, expect, it } from 'vitest';
import type { Message } from 'kafkajs';
import { deadLetterMessage, DEAD_LETTER_MAX_KEY_BYTES, DEAD_LETTER_MAX_REASON_CHARS, DEAD_LETTER_MAX_VALUE_BYTES } from '../../../engine/live/output-messages.js';
import { decodeJsonRecord } from '../../../processors/decode.js';
import { chunkMessages, messageBytes, SEND_CHUNK_BYTES } from '../../../engine/live/send-chunks.js';

const source = { topic: 'driftwatch.index.v1', partition: 2, offset: '41' };

describe('deadLetterMessage', () => {
  it('carries the original bytes, key and headers with the SPEC §2 headers', () => {
    const m = deadLetterMessage({ reason: 'expected a JSON object', raw: Buffer.from('[1]'), key: 'prod/api', headers: { 'x-trace': 't-1' }, source });
    expect(m.key).toBe('prod/api');
    expect(m.value).toEqual(Buffer.from('[1]'));
    expect(m.headers).toEqual({
      'x-trace': 't-1',
      'dw-error': 'expected a JSON object',
      'dw-source-topic': 'driftwatch.index.v1',
      'dw-source-partition': '2',
      'dw-source-offset': '41',
    });
  });

  it('cuts a value the broker could refuse and says so; the dw-* headers are always its own', () => {
    const raw = Buffer.alloc(2 * 1024 * 1024, 0x61);
    const m = deadLetterMessage({ reason: 'invalid JSON: x', raw, key: null, headers: { 'dw-truncated': 'forged', 'dw-error': 'forged' }, source });
    expect((m.value as Buffer).length).toBe(DEAD_LETTER_MAX_VALUE_BYTES);
    expect(m.headers).toMatchObject({ 'dw-error': 'invalid JSON: x', 'dw-truncated': 'true', 'dw-original-bytes': String(raw.length) });
    expect(messageBytes(m)).toBeLessThan(SEND_CHUNK_BYTES);
  });

  it('cuts a reason quoting most of a 1 MB record (which made a dead letter the broker refused on every commit), never inside a surrogate pair', () => {
    const record = `{"type":"${'x'.repeat(1_000_000)}"}`;
    const decoded = decodeJsonRecord(record);
    expect(decoded.ok).toBe(false);
    const reason = (decoded as { deadLetter: { reason: string } }).deadLetter.reason;
    expect(reason).toBe(`type: expected one of promotion, hydration, index, got "${'x'.repeat(40)}"…`);
    // Any other reason that long (an Avro path, a registry message) is cut in the header.
    const long = `${'r'.repeat(DEAD_LETTER_MAX_REASON_CHARS - 1)}😀${'r'.repeat(1_000_000)}`;
    const m = deadLetterMessage({ reason: long, raw: record, key: null, headers: {}, source });
    expect(m.headers!['dw-error']).toBe(`${'r'.repeat(DEAD_LETTER_MAX_REASON_CHARS - 1)}… (${long.length - DEAD_LETTER_MAX_REASON_CHARS + 1} more characters cut)`);
    expect(messageBytes(m)).toBeLessThan(SEND_CHUNK_BYTES);
  });

  it('cuts a huge key and drops huge original headers, counting them', () => {
    const key = 'k'.repeat(DEAD_LETTER_MAX_KEY_BYTES + 10);
    const headers = { a: 'x'.repeat(40 * 1024), b: 'y'.repeat(40 * 1024) };
    const m = deadLetterMessage({ reason: 'r', raw: 'v', key, headers, source });
    expect((m.key as Buffer).length).toBe(DEAD_LETTER_MAX_KEY_BYTES);
    expect(m.headers).toMatchObject({ 'dw-key-truncated': 'true', 'dw-headers-dropped': '2' });
    expect(m.headers).not.toHaveProperty('a');
  });
});

describe('chunkMessages', () => {
  const msg = (bytes: number): Message => ({ key: null, value: Buffer.alloc(bytes) });

  it('keeps order and puts everything in one run while it fits', () => {
    const ms = [msg(10), msg(20), msg(30)];
    expect(chunkMessages(ms)).toEqual([ms]);
    expect(chunkMessages([])).toEqual([]);
  });

  it('starts a new run before a message would pass the limit; an oversized message runs alone', () => {
    const limit = 1000;
    const ms = [msg(400), msg(400), msg(400), msg(5000), msg(10)];
    const chunks = chunkMessages(ms, limit);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1, 1]);
    expect(chunks.flat()).toEqual(ms);
    for (const c of chunks.slice(0, 2)) expect(c.reduce((n, m) => n + messageBytes(m), 0)).toBeLessThanOrEqual(limit);
  });

  it('counts keys and headers too', () => {
    expect(messageBytes({ key: 'abc', value: 'de', headers: { h: 'xyz', list: ['1', '22'] } })).toBe(32 + 3 + 2 + (1 + 8 + 3) + (4 + 8 + 3));
  });
});

describe('deadLetterMessage headers', () => {
  it('passes the original headers on as they came: binary values unchanged, repeated names kept', () => {
    const binary = Buffer.from([0xff, 0x00, 0x80]);
    const m = deadLetterMessage({ reason: 'r', raw: 'v', key: null, headers: { bin: binary, twice: ['a', Buffer.from('b')], gone: undefined }, source });
    expect(m.headers!.bin).toBe(binary);
    expect(m.headers!.twice).toEqual(['a', Buffer.from('b')]);
    expect(m.headers).not.toHaveProperty('gone');
  });
});

describe('isFenced', () => {
  it('recognises a fenced producer however deeply kafkajs wraps it, and nothing else', async () => {
    const { isFenced } = await import('../../../engine/live/transactional-producer.js');
    expect(isFenced({ type: 'INVALID_PRODUCER_EPOCH' })).toBe(true);
    expect(isFenced({ name: 'KafkaJSNonRetriableError', cause: { name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'PRODUCER_FENCED' } } })).toBe(true);
    // A broker outage outlasting kafkajs's retries is non-retriable too, but not fatal: the next tick tries again.
    expect(isFenced({ name: 'KafkaJSNonRetriableError', retriable: false, cause: { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' } })).toBe(false);
    expect(isFenced(undefined)).toBe(false);
  });
});
