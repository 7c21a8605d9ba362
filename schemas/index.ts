/**
 * driftwatch as a library: `import … from 'driftwatch/schemas'` (package.json
 * `exports`; README "Consuming alerts"). The types of the alerts driftwatch
 * writes and of the input events it reads, their runtime validators and
 * their Avro schemas — for alert consumers and event producers. This is the
 * package's only library entry point: nothing else is exported, so the
 * engine's modules can change without breaking a consumer. The `.avsc` files
 * are exported too, as `driftwatch/schemas/avro/<name>.avsc`.
 */

// Alerts (SPEC §6): JSON leaves an absent optional field out, Avro decodes it as null.
export type { AlertEvent, Severity } from './alert-event.js';
export { severities } from './alert-event.js';
export { parseAlertEvent, validateAlertEvent, type DecodedAlertEvent } from './received-alert.js';

// Input events (SPEC §3), for producers.
export type { HydrationEvent, IndexEvent, InputEvent, InputEventType, PromotionEvent, PromotionPhase } from './input-events.js';
export { promotionPhases, validateInputEvent } from './input-events.js';

// Avro: file base name (promotion-event, hydration-event, index-event, alert-event) → schema object, as in schemas/avro/.
export type { AvroDecoded } from './dsl.js';
export { avroSchemas } from './avro-schemas.js';
