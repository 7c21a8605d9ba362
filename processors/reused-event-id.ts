/**
 * The dead letter of an event under an eventId already seen with another
 * event (dedup.ts: a conflict). SPEC §3 processes an eventId once; a
 * producer that gives two events one id loses the second, which must not
 * happen without a word: the record goes where every rejected record goes
 * (dlq.ndjson, the DLQ topic, the store's dead_letters), and the reason
 * names the id and the event it conflicts with, the one processed.
 */
import type { DeadLetter } from './facts.js';
import type { RawRecord } from './decode.js';
import { formatTimestamp } from '../lib/time.js';
import { quotedStart } from '../lib/unicode.js';

export function reusedEventIdLetter(record: RawRecord, eventId: string, firstAt: number): DeadLetter {
  const reason =
    // The dead-letter queries and panel group reasons by the text before the first ": " (sql/queries), the store
    // keeping no category: "reused eventId", a group of its own, not "eventId" with the malformed ones ("eventId: must
    // not be empty").
    `reused eventId: ${quotedStart(eventId, 200)} conflicts with the event first seen under it (occurredAt ${formatTimestamp(firstAt)}), which was processed; this one, with other content, is not. ` +
    'Each event needs an eventId of its own, and a retry must resend the same event';
  return { reason, category: 'reused_event_id', raw: record.value, key: record.key, headers: record.headers, source: record.source };
}
