/**
 * What "the same event" means for deduplication (SPEC §3: duplicates, same
 * eventId, are processed once): the same validated content. Every field its
 * type's schema defines counts — the ones detection reads and the ones only
 * stored (a latency, an actor) alike, since the first event is the one kept
 * in the raw history — with the event time as an instant; the field order,
 * unknown fields, the encoding (JSON or Avro), an optional string sent as ""
 * or null for one left out, and the spelling of the instant do not. A retry
 * of an event is the same; another event under its eventId is a producer's
 * bug, which the pipeline dead-letters (engine/engine-stage.ts).
 *
 * The deduplicator keeps this 32-bit digest per remembered id rather than
 * the event (schemas/compiled-digest.ts says how it is computed).
 */
import { inputEventSchemas, type InputEvent, type InputEventType } from '../schemas/input-events.js';
import { compileObjectDigest, type DigestFunction, type DigestibleSchema } from '../schemas/compiled-digest.js';

/** A digest standing for "not known" (an id remembered from a snapshot of an older release): matches any content. */
export const UNKNOWN_DIGEST = 0;

function digestOf(type: InputEventType): DigestFunction {
  const schema = inputEventSchemas[type] as unknown as DigestibleSchema;
  return compileObjectDigest(schema.fields!, ['eventId']);
}

const promotionDigest = digestOf('promotion');
const hydrationDigest = digestOf('hydration');
const indexDigest = digestOf('index');

/** The content digest of a validated event whose occurredAt is `at` (epoch ms); never UNKNOWN_DIGEST. */
export function eventDigest(event: InputEvent, at: number): number {
  // One call site per type: each sees that type's few shapes only.
  switch (event.type) {
    case 'promotion':
      return promotionDigest(event, at);
    case 'hydration':
      return hydrationDigest(event, at);
    case 'index':
      return indexDigest(event, at);
  }
}
