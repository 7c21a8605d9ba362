/**
 * The content digest (schemas/compiled-digest.ts) is persisted: live mode's
 * changelog keeps each key's recent [eventId, at, digest], and a restarted
 * engine — maybe a newer release — compares a retry's digest with it. So an
 * event's digest must not change when the schema gains an optional field or
 * lists its fields in another order: a retry arriving right after such an
 * upgrade would otherwise be dead-lettered reused_event_id, a false report
 * of a producer bug (and of every event of that type, not one in 4 billion).
 */
import { describe, expect, it } from 'vitest';
import { s } from '../../../schemas/dsl.js';
import { indexEventSchema, promotionEventSchema } from '../../../schemas/input-events.js';
import { compileObjectDigest, type DigestibleSchema } from '../../../schemas/compiled-digest.js';
import { T0, indexOp, promotion } from '../ingest/events.js';

type Fields = Readonly<Record<string, DigestibleSchema>>;
const fieldsOf = (schema: unknown) => (schema as DigestibleSchema).fields!;
const digest = (fields: Fields, event: Record<string, unknown>) => compileObjectDigest(fields, ['eventId'])(event, T0);

describe('an event digest across schema changes a release may make', () => {
  const index = fieldsOf(indexEventSchema);
  const event = indexOp('i-1', T0, { correlationId: 'c-1', shard: 's-1' });
  const extra = s.optional(s.string()) as unknown as DigestibleSchema;

  it('is the same when the schema gains an optional field the event does not hold (at the end or in the middle)', () => {
    const entries = Object.entries(index);
    const atEnd = { ...index, region: extra };
    const inMiddle = Object.fromEntries([...entries.slice(0, 3), ['region', extra], ...entries.slice(3)]);
    expect(digest(atEnd, event)).toBe(digest(index, event));
    expect(digest(inMiddle, event)).toBe(digest(index, event));
    // Held, it counts: another event.
    expect(digest(atEnd, { ...event, region: 'eu' })).not.toBe(digest(index, event));
  });

  it('is the same when the schema lists its fields in another order', () => {
    const reversed = Object.fromEntries(Object.entries(index).reverse());
    expect(digest(reversed, event)).toBe(digest(index, event));
  });

  it('a nested object gaining an optional field keeps the digest too', () => {
    const promo = fieldsOf(promotionEventSchema);
    const gate = promo.gate!;
    const inner = gate.inner!;
    const widened = { ...promo, gate: { ...gate, inner: { ...inner, fields: { ...inner.fields!, retries: s.optional(s.number()) as unknown as DigestibleSchema } } } };
    const g = promotion('p-1', T0, { phase: 'gate', gate: { name: 'smoke', result: 'passed', durationMs: 5 } });
    expect(digest(widened as Fields, g)).toBe(digest(promo, g));
  });

  it('a field moved into a nested object, or between two fields of the same value, is still another event', () => {
    // rollbackTo.version and the top-level version are two fields: the same value in either is not the same event.
    const promo = fieldsOf(promotionEventSchema);
    const a = promotion('p-1', T0, { phase: 'rolled_back', rollbackTo: { version: '1', digest: 'd' } });
    const b = promotion('p-1', T0, { phase: 'rolled_back', rollbackTo: { version: '1', digest: 'd' }, fromEnv: 'd' });
    const c = promotion('p-1', T0, { phase: 'rolled_back', rollbackTo: { version: '1', digest: 'd' }, actor: 'd' });
    expect(new Set([digest(promo, a), digest(promo, b), digest(promo, c)]).size).toBe(3);
  });
});
