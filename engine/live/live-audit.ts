/**
 * Live mode's own audit records (seed audit log: "Performance Events:
 * metrics collection and health checks", "Security Events: authentication
 * and authorization tracking"). The processors audit what the input events
 * say (processors/audit-trail.ts) and `query --write` / `sql migrate` audit
 * hand-made store changes (store/admin-audit.ts); this records what the
 * running instance itself goes through:
 *
 * performance (health):
 *   instance.ready / instance.not_ready          /readyz transitions, with why not
 *   consumption.paused / consumption.resumed     backpressure (backpressure.ts), with the reason:
 *                                                registry_unavailable, store_unavailable, store_slow
 *   store.outage_began / store.outage_ended      store inserts failing and retried (store/insert-retries.ts)
 *   group.partitions_assigned                    a rebalance: partition counts (ids only while few)
 * security:
 *   kafka.authentication_failed                  the broker refused the SASL login
 *   kafka.authorization_failed                   an ACL refused a topic, group or transactional id
 *   schema_registry.authentication_failed        the registry answered 401
 *   schema_registry.authorization_failed         the registry answered 403
 *   store.authentication_failed / _authorization_failed
 *                                                ClickHouse refused the login or a privilege: LOGGED
 *                                                ONLY (an error line carrying the record), since
 *                                                audit_log lives in that ClickHouse and the writer
 *                                                that was refused has failed for good.
 *
 * Every record is an ordinary `audit` fact written through the store writer
 * (the same rows and table as the processors' records: store/row-mappers.ts)
 * with actor = the instance id, correlation_id = the run id, and details =
 * { outcome: ok | degraded | failure, instanceId, … }. A record of a store
 * outage or of a pause waits in the writer's buffer like any row and lands
 * when the store takes rows again.
 *
 * Rate-limited per kind (audit-rate-limit.ts): at most one record per kind
 * per minute, the latest of a flapping condition written at the end of the
 * minute with the count of those dropped (`details.suppressed`).
 *
 * No secret: details hold what identifies a failure (error name, protocol
 * error type, HTTP status) and its message with URL credentials and every
 * configured secret (`secrets`) masked; a ClickHouse refusal's log line is
 * masked the same way.
 */
import type { Logger } from '../../lib/logger.js';
import { redactCredentials } from '../../lib/logger.js';
import type { AuditCategory, AuditRecord, Fact } from '../../processors/facts.js';
import type { StoreWriter } from '../../store/store-writer.js';
import { AuditRateLimit } from './audit-rate-limit.js';
import { authFailureOf, refusalMessage } from './auth-failures.js';

/** At most one record per kind per this interval (see audit-rate-limit.ts). */
export const AUDIT_MIN_INTERVAL_MS = 60_000;

/** A rebalance record lists the partition ids only up to this many partitions (the counts always). */
export const MAX_LISTED_PARTITIONS = 32;

export type PauseReason = 'registry_unavailable' | 'store_unavailable' | 'store_slow';

export interface LiveAuditOptions {
  /** Where records go (StoreWriter.write); null: no store (records are only logged, at debug). */
  writer: Pick<StoreWriter, 'write'> | null;
  instanceId: string;
  /** The run's id (`runId` of the log lines): the records' correlation id. */
  runId: string;
  /** The consumer group: the subject of rebalance records. */
  groupId: string;
  logger: Logger;
  /** Configured secrets (passwords, URL credentials): masked wherever they would appear in a record. */
  secrets?: readonly string[];
  /** @default AUDIT_MIN_INTERVAL_MS */
  minIntervalMs?: number;
  /** @default Date.now */
  now?: () => number;
}

type Outcome = 'ok' | 'degraded' | 'failure';

interface Entry {
  at: number;
  category: AuditCategory;
  action: string;
  subjectId: string;
  details: Record<string, unknown>;
  /** Log it instead of writing it (a ClickHouse refusal). */
  logOnly?: boolean;
}

export class LiveAudit {
  readonly #o: LiveAuditOptions;
  readonly #now: () => number;
  readonly #limit: AuditRateLimit<Entry>;
  readonly #log: Logger;

  constructor(options: LiveAuditOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger.child({ component: 'live-audit' });
    this.#limit = new AuditRateLimit<Entry>({ minIntervalMs: options.minIntervalMs ?? AUDIT_MIN_INTERVAL_MS, now: this.#now, emit: (e, n) => this.#emit(e, n) });
  }

  /** /readyz changed: ready, or not ready and why. */
  readiness(ready: boolean, reason?: string): void {
    const details = ready ? {} : { reason };
    this.#offer('readiness', 'performance', ready ? 'instance.ready' : 'instance.not_ready', this.#o.instanceId, ready ? 'ok' : 'degraded', details);
  }

  /** Consumption waits for backpressure (backpressure.ts). */
  consumptionPaused(reason: PauseReason, details: { undecoded: number; storePendingRows: number }): void {
    this.#offer('consumption', 'performance', 'consumption.paused', this.#o.instanceId, 'degraded', { reason, ...details });
  }

  /** Consumption goes on after a pause of `pausedMs` for `reason`. */
  consumptionResumed(reason: PauseReason, pausedMs: number): void {
    this.#offer('consumption', 'performance', 'consumption.resumed', this.#o.instanceId, 'ok', { reason, pausedMs });
  }

  /** Store inserts began failing (retried), or work again (StoreWriter.onOutage / onOutageEnd). */
  storeOutage(o: { began: true; table: string; error: string } | { began: false; failedForMs: number; retries: number }): void {
    if (o.began) this.#offer('store-outage', 'performance', 'store.outage_began', 'store', 'degraded', { table: o.table, error: o.error });
    else this.#offer('store-outage', 'performance', 'store.outage_ended', 'store', 'ok', { failedForMs: o.failedForMs, retries: o.retries });
  }

  /** This instance joined its group (a rebalance) with `assignment` (topic → partitions). */
  assigned(assignment: Record<string, number[]>, generation: number): void {
    const byTopic: Record<string, number> = {};
    let partitions = 0;
    for (const [topic, ids] of Object.entries(assignment)) {
      byTopic[topic] = ids.length;
      partitions += ids.length;
    }
    const details: Record<string, unknown> = { generation, partitions, byTopic };
    if (partitions <= MAX_LISTED_PARTITIONS) details.assignment = assignment;
    this.#offer('rebalance', 'performance', 'group.partitions_assigned', this.#o.groupId, 'ok', details);
  }

  /**
   * Records `err` as a security event when it is an authentication or
   * authorization failure (auth-failures.ts); returns whether it was one.
   * Never throws.
   */
  authFailure(err: unknown): boolean {
    const failure = authFailureOf(err);
    if (failure === undefined) return false;
    const prefix = failure.service === 'schema-registry' ? 'schema_registry' : failure.service;
    const action = `${prefix}.${failure.kind}_failed`;
    const details = { ...failure.facts, message: refusalMessage(err, failure) };
    this.#offer(action, 'security', action, failure.service, 'failure', details, failure.service === 'store');
    return true;
  }

  /** Writes what the rate limit holds and records nothing more (before the writer's last flush). */
  close(): void {
    this.#limit.close();
  }

  #offer(kind: string, category: AuditCategory, action: string, subjectId: string, outcome: Outcome, details: Record<string, unknown>, logOnly = false): void {
    this.#limit.offer(kind, { at: this.#now(), category, action, subjectId, details: { outcome, instanceId: this.#o.instanceId, ...details }, logOnly });
  }

  #emit(entry: Entry, suppressed: number): void {
    const details = this.#withoutSecrets(suppressed > 0 ? { ...entry.details, suppressed } : entry.details);
    const record: AuditRecord = {
      at: entry.at,
      category: entry.category,
      action: entry.action,
      actor: this.#o.instanceId,
      subjectId: entry.subjectId,
      correlationId: this.#o.runId,
      details,
    };
    if (entry.logOnly) {
      this.#log.error({ audit: record }, `security audit: ${entry.subjectId} refused access; recorded in this log only, not written to audit_log (it is in the store that refused)`);
      return;
    }
    const writer = this.#o.writer;
    if (writer === null) {
      this.#log.debug({ audit: record }, 'audit record (no store to write it to)');
      return;
    }
    try {
      const fact: Fact = { kind: 'audit', at: record.at, record };
      writer.write(fact);
    } catch (err) {
      // The writer failed (the engine stops on that by itself) or closed: the record is lost, said so here.
      this.#log.warn({ audit: record, err: { message: (err as Error).message } }, 'audit record not written to audit_log: the store writer does not take rows any more');
    }
  }

  /** `details` with URL credentials and every configured secret masked in each string, keys included. */
  #withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
    const secrets = (this.#o.secrets ?? []).filter((x) => x !== '');
    const mask = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('[redacted]'), redactCredentials(text));
    const clean = (value: unknown): unknown => {
      if (typeof value === 'string') return mask(value);
      if (Array.isArray(value)) return value.map(clean);
      if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), clean(v)]));
      return value;
    };
    return clean(details) as Record<string, unknown>;
  }
}
