/**
 * The reorder buffer between the generator's event-time clock and what it
 * hands out: each event is "sent" a random 0..jitter after it occurred, a few
 * are sent twice (a producer retry: same eventId), and a few malformed lines
 * slip in. Records come out in send order, so arrival differs from event time
 * by less than 2 × jitter.
 */
import type { InputEvent, InputEventType } from '../../schemas/input-events.js';
import { malformedLine } from './event-builders.js';
import type { Prng } from './prng.js';
import type { ScenarioOptions } from './scenario-options.js';
import { MinHeap } from '../../lib/min-heap.js';

export interface GeneratedRecord {
  /** The NDJSON line / message value (no trailing newline). */
  value: string;
  /** `<env>/<artifact>`: the partitioning key of SPEC §2. */
  key: string;
  /** The input topic it belongs to (for a malformed line: the topic its producer meant). */
  type: InputEventType;
  /** Event time (occurredAt) in epoch ms. */
  at: number;
  /** When a producer sends it (epoch ms, ≥ at): the order records come out in. */
  sendAt: number;
  eventId: string;
  kind: 'event' | 'duplicate' | 'malformed';
  /** Position in the generated stream, from 1. */
  seq: number;
}

const recordLess = (a: GeneratedRecord, b: GeneratedRecord) => a.sendAt < b.sendAt || (a.sendAt === b.sendAt && a.seq < b.seq);

function record(value: string, key: string, type: InputEventType, at: number, sendAt: number, eventId: string, kind: GeneratedRecord['kind'], seq: number): GeneratedRecord {
  return { value, key, type, at, sendAt, eventId, kind, seq };
}

export class RecordOutbox {
  private readonly heap = new MinHeap<GeneratedRecord>(recordLess);
  private seq = 0;

  constructor(
    private readonly rng: Prng,
    private readonly options: Pick<ScenarioOptions, 'jitterMs' | 'duplicateRate' | 'malformedRate'>,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  /** The record sent first (smallest send time), if any. */
  peek(): GeneratedRecord | undefined {
    return this.heap.peek();
  }

  pop(): GeneratedRecord | undefined {
    return this.heap.pop();
  }

  /** Queues `event` (of key `key`, occurred at `at`), maybe a duplicate of it, maybe a malformed line. */
  push(event: InputEvent, key: string, at: number): void {
    const { rng, options: o } = this;
    const jitter = o.jitterMs;
    const sendAt = at + rng.ms(0, jitter);
    const value = JSON.stringify(event);
    this.heap.push(record(value, key, event.type, at, sendAt, event.eventId, 'event', ++this.seq));
    if (rng.chance(o.duplicateRate)) {
      this.heap.push(record(value, key, event.type, at, sendAt + rng.ms(0, jitter), event.eventId, 'duplicate', ++this.seq));
    }
    if (rng.chance(o.malformedRate)) {
      const eventId = `bad-${this.seq + 1}`;
      this.heap.push(record(malformedLine(rng, event, eventId), key, event.type, at, at + rng.ms(0, jitter), eventId, 'malformed', ++this.seq));
    }
  }
}
