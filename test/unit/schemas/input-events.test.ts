import { describe, it, expect } from 'vitest';
import { inputEventSchemas, MAX_IDENTIFIER_CHARS, validateInputEvent, type InputEventType } from '../../../schemas/input-events.js';
import { T0, hydration, indexOp, promotion } from '../ingest/events.js';

const errorOf = (value: unknown): string | undefined => {
  const r = validateInputEvent(value);
  return r.ok ? undefined : r.error;
};
const without = (obj: Record<string, unknown>, field: string): Record<string, unknown> => {
  const { [field]: _omit, ...rest } = obj;
  return rest;
};

const valid = {
  promotion: promotion('p-1', T0),
  hydration: hydration('h-1', T0),
  index: indexOp('i-1', T0),
};
const required = {
  promotion: ['type', 'eventId', 'occurredAt', 'env', 'artifact', 'promotionId', 'phase'],
  hydration: ['type', 'eventId', 'occurredAt', 'env', 'artifact', 'ruleId', 'instance', 'inputDigest', 'outputDigest', 'durationMs', 'status'],
  index: ['type', 'eventId', 'occurredAt', 'env', 'artifact', 'op', 'instance', 'servedDigest', 'latencyMs', 'status'],
};

describe('validateInputEvent', () => {
  it.each(Object.entries(valid))('accepts a valid %s event and returns the same object', (_type, event) => {
    const r = validateInputEvent(event);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.event).toBe(event); // validated in place, never copied
  });

  it('takes an optional string sent as "" as absent without changing the caller\'s object (a producer validating before it sends; a frozen one)', () => {
    const sent = Object.freeze({ ...hydration('h-e', T0), error: '', correlationId: '' });
    const r = validateInputEvent(sent);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.event).not.toHaveProperty('error');
      expect(r.event).not.toHaveProperty('correlationId');
    }
    expect(sent).toMatchObject({ error: '', correlationId: '' });
    // Still invalid for another reason: the error names that field; the caller's "" stays.
    const bad = { ...hydration('h-b', T0), error: '', durationMs: 'slow' };
    expect(errorOf(bad)).toMatch(/^durationMs: /);
    expect(bad.error).toBe('');
  });

  it('accepts every promotion phase with the fields it needs', () => {
    const phases: Array<Record<string, unknown>> = [
      { phase: 'started' },
      { phase: 'gate', gate: { name: 'smoke', result: 'passed', durationMs: 1200 } },
      { phase: 'snapshot', snapshot: { snapshotId: 's-1', verified: false } },
      { phase: 'succeeded' },
      { phase: 'failed', version: undefined, digest: undefined, reason: 'gate failed' },
      { phase: 'rolled_back', rollbackTo: { version: '1.2.2', digest: 'sha256:prev' }, actor: 'alice' },
    ];
    for (const p of phases) expect(errorOf(promotion('p', T0, p))).toBeUndefined();
  });

  it('accepts unknown extra fields, optional fields and null for optional fields', () => {
    expect(errorOf(hydration('h', T0, { cluster: 'eu-1', labels: { a: 1 } }))).toBeUndefined();
    expect(errorOf(indexOp('i', T0, { shard: 's3', correlationId: 'c-9' }))).toBeUndefined();
    expect(errorOf(indexOp('i', T0, { shard: null, correlationId: null }))).toBeUndefined();
    expect(errorOf(hydration('h', T0, { status: 'error', error: 'timeout' }))).toBeUndefined();
  });

  for (const [type, fields] of Object.entries(required)) {
    it(`rejects a ${type} event missing any required field, naming it`, () => {
      const base = valid[type as keyof typeof valid];
      for (const field of fields) {
        const error = errorOf(without(base, field));
        if (field === 'type') expect(error).toBe('type: expected one of promotion, hydration, index, got nothing');
        else expect(error).toBe(`${field}: is required`);
      }
    });
  }

  it('rejects ill-typed fields with a message naming the field', () => {
    expect(errorOf(hydration('h', T0, { durationMs: '12' }))).toBe('durationMs: expected a number, got "12"');
    expect(errorOf(hydration('h', T0, { durationMs: -1 }))).toBe('durationMs: must be >= 0, got -1');
    expect(errorOf(indexOp('i', T0, { op: 'delete' }))).toBe('op: expected one of read, write, got "delete"');
    expect(errorOf(indexOp('i', T0, { eventId: 42 }))).toBe('eventId: expected a string, got number 42');
    expect(errorOf(indexOp('i', T0, { env: '' }))).toBe('env: must not be empty');
    expect(errorOf(indexOp('i', T0, { shard: 7 }))).toBe('shard: expected a string, got number 7');
    expect(errorOf({ ...indexOp('i', T0), occurredAt: '2026-11-27 12:00' })).toMatch(/^occurredAt: expected an RFC 3339 timestamp/);
    expect(errorOf(promotion('p', T0, { phase: 'gate', gate: { name: 'smoke', result: 'maybe', durationMs: 1 } }))).toBe(
      'gate.result: expected one of passed, failed, got "maybe"',
    );
    expect(errorOf(promotion('p', T0, { phase: 'snapshot', snapshot: { snapshotId: 's', verified: 'yes' } }))).toBe(
      'snapshot.verified: expected a boolean, got "yes"',
    );
  });

  it('rejects an env holding "/" (the key <env>/<artifact> would be ambiguous); an artifact may hold one', () => {
    for (const make of [() => promotion('p', T0, { env: 'prod/eu' }), () => hydration('h', T0, { env: 'prod/eu' }), () => indexOp('i', T0, { env: 'prod/eu' })]) {
      expect(errorOf(make())).toBe('env: must not contain "/", got "prod/eu"');
    }
    expect(errorOf(hydration('h', T0, { artifact: 'team/search' }))).toBeUndefined();
  });

  // Ids join their parts with NUL (lib/ids.ts): env "a\0b" with artifact "c" and env "a" with artifact "b\0c" would share
  // incident ids and alert fingerprints. Every field joined into an id refuses NUL; the others keep it (stored as sent).
  it('rejects a NUL in the fields joined into ids (env, artifact, ruleId, gate name), naming the field; accepts it elsewhere', () => {
    const nul = 'a\u0000b';
    const cases: Array<[string, Record<string, unknown>]> = [
      ['env', indexOp('i', T0, { env: nul })],
      ['artifact', hydration('h', T0, { artifact: nul })],
      ['artifact', promotion('p', T0, { artifact: nul })],
      ['ruleId', hydration('h', T0, { ruleId: nul })],
      ['gate.name', promotion('p', T0, { phase: 'gate', gate: { name: nul, result: 'failed', durationMs: 1 } })],
    ];
    for (const [field, event] of cases) expect(errorOf(event)).toBe(`${field}: must not contain "\\u0000", got "a\u0000b"`);
    for (const event of [indexOp(nul, T0, { instance: nul, servedDigest: nul, shard: nul, correlationId: nul }), promotion('p', T0, { promotionId: nul, actor: nul })]) {
      expect(errorOf(event)).toBeUndefined();
    }
  });

  it(`bounds identifying strings to ${MAX_IDENTIFIER_CHARS} characters, naming the field and quoting none of it; free text (reason, error) only by the event's size`, () => {
    const at = 'x'.repeat(MAX_IDENTIFIER_CHARS);
    const over = at + 'x';
    const cases: Array<[string, (v: string) => Record<string, unknown>]> = [
      ['eventId', (v) => indexOp(v, T0)],
      ['artifact', (v) => hydration('h', T0, { artifact: v })],
      ['correlationId', (v) => promotion('p', T0, { correlationId: v })],
      ['gate.name', (v) => promotion('p', T0, { phase: 'gate', gate: { name: v, result: 'passed', durationMs: 1 } })],
      ['servedDigest', (v) => indexOp('i', T0, { servedDigest: v })],
    ];
    for (const [field, make] of cases) {
      expect(errorOf(make(at)), field).toBeUndefined();
      // The compiled predicate agrees (validation falls back to the walk, which would hide a predicate that refused).
      const schema = inputEventSchemas[make(at).type as InputEventType];
      expect([schema.isValid!(make(at)), schema.isValid!(make(over))], field).toEqual([true, false]);
      expect(errorOf(make(over))).toBe(`${field}: must be at most ${MAX_IDENTIFIER_CHARS} characters long, got ${MAX_IDENTIFIER_CHARS + 1}`);
    }
    expect(errorOf(promotion('p', T0, { reason: 'r'.repeat(100_000) }))).toBeUndefined();
    expect(errorOf(hydration('h', T0, { status: 'error', error: 'e'.repeat(100_000) }))).toBeUndefined();
  });

  it('rejects values that are not events of a known type', () => {
    expect(errorOf(null)).toBe('expected a JSON object');
    expect(errorOf([valid.index])).toBe('expected a JSON object');
    expect(errorOf('{"type":"index"}')).toBe('expected a JSON object');
    expect(errorOf({ ...valid.index, type: 'deploy' })).toBe('type: expected one of promotion, hydration, index, got "deploy"');
  });

  it('rejects a type named as what every object inherits ("constructor", "toString"), rather than throwing', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(errorOf({ ...valid.index, type })).toBe(`type: expected one of promotion, hydration, index, got "${type}"`);
    }
  });

  it('applies the conditional rules on promotions', () => {
    expect(errorOf(promotion('p', T0, { phase: 'started', version: undefined }))).toBe('version: is required when phase is started');
    expect(errorOf(promotion('p', T0, { phase: 'started', digest: null }))).toBe('digest: is required when phase is started');
    expect(errorOf(promotion('p', T0, { phase: 'succeeded', digest: undefined }))).toBe('digest: is required when phase is succeeded');
    expect(errorOf(promotion('p', T0, { phase: 'gate' }))).toBe('gate: is required when phase is gate');
    expect(errorOf(promotion('p', T0, { phase: 'snapshot' }))).toBe('snapshot: is required when phase is snapshot');
    expect(errorOf(promotion('p', T0, { phase: 'rolled_back' }))).toBe('rollbackTo: is required when phase is rolled_back');
    expect(errorOf(promotion('p', T0, { phase: 'rolled_back', rollbackTo: { version: '1' } }))).toBe('rollbackTo.digest: is required');
    // failed needs neither version nor digest
    expect(errorOf(promotion('p', T0, { phase: 'failed', version: undefined, digest: undefined }))).toBeUndefined();
  });
});
