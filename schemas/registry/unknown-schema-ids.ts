/**
 * Schema ids the registry said it does not know, remembered for a while.
 *
 * The client library caches schemas it found, never an id it did not: a
 * producer misconfigured to a wrong id would cost one registry round trip per
 * record (records decoded at the same moment share one request, records that
 * trickle in do not), so throughput collapses to one record per HTTP 404 and
 * the registry is hammered. Remembering the registry's own "not found" for
 * `ttlMs` dead-letters the next records of that id at once, with the same
 * reason; after `ttlMs` the id is asked again, since the schema may have been
 * registered meanwhile. Only that answer is remembered: an outage, refused
 * credentials or a misrouted URL are not the id's fault (registry-errors.ts)
 * and are waited out by the caller.
 *
 * At most `maxIds` ids are kept (the oldest answer is forgotten first), so
 * records carrying random ids — corrupt data that happens to start with the
 * magic byte — cannot grow it without bound.
 */
export interface UnknownSchemaIdsOptions {
  /** How long an id's "not found" is believed; 0 = never remembered. @default 60 s */
  ttlMs?: number;
  /** Most ids remembered at once. @default 10 000 */
  maxIds?: number;
  /** Clock, injectable for virtual-time tests. @default Date.now */
  now?: () => number;
}

export const DEFAULT_UNKNOWN_SCHEMA_TTL_MS = 60_000;
export const DEFAULT_UNKNOWN_SCHEMA_MAX_IDS = 10_000;

export class UnknownSchemaIds {
  readonly ttlMs: number;
  private readonly maxIds: number;
  private readonly now: () => number;
  /** id → the reason records of it are dead-lettered with, and until when; insertion order = age. */
  private readonly entries = new Map<number, { reason: string; until: number }>();

  constructor(options: UnknownSchemaIdsOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_UNKNOWN_SCHEMA_TTL_MS;
    this.maxIds = options.maxIds ?? DEFAULT_UNKNOWN_SCHEMA_MAX_IDS;
    this.now = options.now ?? Date.now;
  }

  /** Ids currently remembered (expired ones may still count until they are next looked at). */
  get size(): number {
    return this.entries.size;
  }

  /** The remembered reason while `id` is known to be unknown; undefined when it must be asked for. */
  reasonFor(id: number): string | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (this.now() < entry.until) return entry.reason;
    this.entries.delete(id);
    return undefined;
  }

  /** Remembers the registry's "not found" for `id`; true when it was not remembered already (worth a log line). */
  remember(id: number, reason: string): boolean {
    if (this.ttlMs <= 0 || this.maxIds <= 0) return false;
    const fresh = this.reasonFor(id) === undefined;
    this.entries.delete(id); // re-inserted last: its age starts now
    while (this.entries.size >= this.maxIds) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { reason, until: this.now() + this.ttlMs });
    return fresh;
  }
}
