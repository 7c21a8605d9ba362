/**
 * A reused eventId (SPEC §3: duplicates are processed once) told apart from a
 * retry. A retry is the same event sent again — maybe re-encoded (Avro
 * instead of JSON), its fields in another order, other unknown fields, the
 * same instant written another way, an empty optional string for an absent
 * one — and is dropped as a duplicate. Another event under an eventId
 * already seen is a producer's bug: it is a conflict (dead-lettered by the
 * pipeline, engine-stage.ts), and the first event stays the one processed.
 * The deduplicator keeps a digest of each remembered event's content, not
 * the event (processors/event-digest.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import avsc from 'avsc';
import { EventDeduplicator } from '../../../processors/dedup.js';
import { decodeJsonRecord, toEnvelope } from '../../../processors/decode.js';
import { eventDigest } from '../../../processors/event-digest.js';
import type { Envelope } from '../../../processors/facts.js';
import { plainFromAvro } from '../../../schemas/registry/plain-value.js';
import { HOUR } from '../../../lib/time.js';
import { T0, hydration, indexOp, promotion } from './events.js';

const options = { dedupHorizonMs: HOUR, dedupMaxEntries: 100 };

function envelopeOf(value: unknown): Envelope {
  const r = typeof value === 'string' ? decodeJsonRecord(value) : toEnvelope(value, { value: '' });
  if (!r.ok) throw new Error(r.deadLetter.reason);
  return r.envelope;
}

/** The event as an Avro producer sends it and the registry decoder hands it on (schemas/avro/*.avsc, plainFromAvro). */
function viaAvro(event: Record<string, unknown>): unknown {
  const file = join(fileURLToPath(new URL('../../../schemas/avro/', import.meta.url)), `${String(event.type)}-event.avsc`);
  const type = avsc.Type.forSchema(JSON.parse(readFileSync(file, 'utf8')) as avsc.Schema) as avsc.types.RecordType;
  const filled = Object.fromEntries(type.fields.map((f) => [f.name, event[f.name] ?? null]));
  return plainFromAvro(type.fromBuffer(type.toBuffer(filled)));
}

describe('EventDeduplicator: a retry or a reused eventId', () => {
  const first = indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1' });
  const retries: Array<[string, unknown]> = [
    ['byte for byte', JSON.stringify(first)],
    ['its fields in another order', JSON.stringify(Object.fromEntries(Object.entries(first).reverse()))],
    ['with unknown fields (a newer producer, a retry counter)', JSON.stringify({ ...first, attempt: 2, producer: { host: 'h-2' } })],
    ['the same instant with an offset and no fraction', JSON.stringify({ ...first, occurredAt: '2026-11-27T13:00:00+01:00' })],
    ['re-encoded as Avro', viaAvro(first)],
  ];

  it.each(retries)('a retry %s is a duplicate', (_how, retry) => {
    const d = new EventDeduplicator(options);
    expect(d.classify(envelopeOf(JSON.stringify(first)))).toBe('first');
    expect(d.classify(envelopeOf(retry))).toBe('duplicate');
    expect([d.duplicates, d.conflicts]).toEqual([1, 0]);
  });

  it('an optional string sent as "" is the same as one left out (Avro: null)', () => {
    const d = new EventDeduplicator(options);
    expect(d.classify(envelopeOf(JSON.stringify(hydration('h-1', T0))))).toBe('first');
    expect(d.classify(envelopeOf(JSON.stringify(hydration('h-1', T0, { correlationId: '', error: '' }))))).toBe('duplicate');
    expect(d.classify(envelopeOf({ ...hydration('h-1', T0), correlationId: null, error: null }))).toBe('duplicate');
  });

  const others: Array<[string, Record<string, unknown>]> = [
    ['another instant', indexOp('i-1', T0 + 1, { correlationId: 'c-1', shard: 's-1' })],
    ['another served digest', indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1', servedDigest: 'sha256:bbb' })],
    ['another latency (a field no detection reads: still the event stored)', indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1', latencyMs: 4 })],
    ['an optional field left out', indexOp('i-1', T0, { correlationId: 'c-1' })],
    ['another correlationId', indexOp('i-1', T0, { correlationId: 'c-2', shard: 's-1' })],
    ['another type', hydration('i-1', T0, { correlationId: 'c-1' })],
    ['another key', indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1', artifact: 'other' })],
    // Strings are hashed with their lengths: moving characters from one field to the next is another event.
    ['characters moved between two fields', indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1', env: 'pro', artifact: 'dsearch-index' })],
  ];

  it.each(others)('an event with %s under the same eventId is a conflict; the first stays remembered', (_how, other) => {
    const d = new EventDeduplicator(options);
    expect(d.classify(envelopeOf(JSON.stringify(first)))).toBe('first');
    expect(d.classify(envelopeOf(JSON.stringify(other)))).toBe('conflict');
    expect(d.conflictFirstAt).toBe(T0); // for the dead letter's reason
    // The first is still the one remembered: its retry is a duplicate, the other event again a conflict.
    expect(d.classify(envelopeOf(JSON.stringify(first)))).toBe('duplicate');
    expect(d.classify(envelopeOf(JSON.stringify(other)))).toBe('conflict');
    expect([d.duplicates, d.conflicts, d.size]).toEqual([1, 2, 1]);
  });

  it('nested fields count: another gate result is another event', () => {
    const gate = (result: string) => promotion('p-g', T0, { phase: 'gate', gate: { name: 'smoke', result, durationMs: 5 } });
    const d = new EventDeduplicator(options);
    expect(d.classify(envelopeOf(JSON.stringify(gate('passed'))))).toBe('first');
    expect(d.classify(envelopeOf(viaAvro(gate('passed'))))).toBe('duplicate');
    expect(d.classify(envelopeOf(JSON.stringify(gate('failed'))))).toBe('conflict');
  });

  it('a digest is a small number, never 0 (0 stands for "not known": an id restored from an older snapshot)', () => {
    const digest = eventDigest(envelopeOf(JSON.stringify(first)).event, T0);
    expect(Number.isInteger(digest)).toBe(true);
    expect(digest).not.toBe(0);
    expect(Math.abs(digest)).toBeLessThan(2 ** 31);
  });

  it('snapshots carry the digests; an id restored without one (an older snapshot) takes any content as a duplicate', () => {
    const a = new EventDeduplicator(options);
    a.classify(envelopeOf(JSON.stringify(first)));
    const saved = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<EventDeduplicator['snapshot']>;
    expect(saved).toEqual([['i-1', T0, eventDigest(envelopeOf(JSON.stringify(first)).event, T0)]]);
    const b = new EventDeduplicator(options);
    b.restore(saved);
    expect(b.classify(envelopeOf(JSON.stringify(first)))).toBe('duplicate');
    expect(b.classify(envelopeOf(JSON.stringify(others[1]![1])))).toBe('conflict');

    const older = new EventDeduplicator(options);
    older.restore([['i-1', T0]]);
    expect(older.classify(envelopeOf(JSON.stringify(others[1]![1])))).toBe('duplicate');
  });
});
