/**
 * The facts that flow through the processor chain. Every fact carries `at`,
 * its event time in epoch ms, and facts reach each processor in nondecreasing
 * `at` order (the event-time operator guarantees it for inputs; processors keep
 * it by firing their own timers due at or before a fact's `at` before handling
 * that fact).
 *
 * Each processor receives every fact, handles the kinds it cares about, passes
 * everything on unchanged, and emits facts of its own. Sinks at the end of the
 * chain pick the kinds they store or publish. The promotion processors'
 * rows and outcomes are in promotion-facts.ts.
 */
import type { InputEvent } from '../schemas/input-events.js';
import type { AlertEvent, Severity } from '../schemas/alert-event.js';
import type { PromotionOutcome, PromotionWindowRow } from './promotion-facts.js';

/** Where a record came from, for dead letters, audit and exactly-once bookkeeping. */
export interface SourcePosition {
  topic?: string;
  partition?: number;
  offset?: string;
  /** 1-based line number, for file replays. */
  line?: number;
}

/** A validated input event plus what the pipeline derived from it once. */
export interface Envelope<E extends InputEvent = InputEvent> {
  event: E;
  /** occurredAt as epoch ms. */
  at: number;
  /**
   * The event time this event moves the watermark to: `at`, capped at the
   * instance's wall clock on arrival while the future-skew bound is on
   * (processors/event-time-bound.ts `watermarkTime`). Unset: `at`.
   */
  watermarkAt?: number;
  /** `<env>/<artifact>`, the partitioning key. */
  key: string;
  source?: SourcePosition;
}

/**
 * What kind of rejection a dead letter is, for metrics and dashboards (the
 * reason says the details): bytes that are no event in the encoding, an
 * empty value, an event that fails the schema, one on the wrong topic,
 * under the wrong key or on a partition its key does not map to (a producer
 * with another partitioner), or one whose time cannot be processed (ahead of the
 * clock — often the clock of this host or of a producer —, or before 1970),
 * or another event under an eventId already seen (reused_event_id: a
 * producer's bug; a retry of the same event is a duplicate instead).
 */
export type DeadLetterCategory =
  | 'invalid_encoding'
  | 'empty'
  | 'invalid_event'
  | 'wrong_topic'
  | 'wrong_key'
  | 'wrong_partition'
  | 'future_time'
  | 'before_epoch'
  | 'too_large'
  | 'reused_event_id';

/** A record that could not be decoded or validated, or reused an eventId (SPEC §2 DLQ, §7 dlq.ndjson). */
export interface DeadLetter {
  reason: string;
  /** Unset: invalid_event. */
  category?: DeadLetterCategory;
  /** The original bytes/line, untouched. */
  raw: string | Buffer;
  key?: string | Buffer | null;
  headers?: RecordHeaders;
  source?: SourcePosition;
}

/**
 * A record's headers as they came: a Kafka header value is bytes (binary ones
 * must reach the DLQ unchanged, not decoded as UTF-8) and a name may repeat.
 */
export type RecordHeaders = Record<string, string | Buffer | Array<string | Buffer> | undefined>;

export interface Incident {
  incidentId: string;
  kind: 'state' | 'determinism';
  env: string;
  artifact: string;
  ruleId?: string;
  severity: Severity;
  startedAt: number;
  detectedAt: number;
  resolvedAt: number | null;
  /** converged | promoted | source_expired (state); consistent (determinism). */
  reason?: string;
  expectedDigest?: string;
  /** At most MAX_LISTED_DIGESTS (incident-lifecycle.ts): the first seen while the incident is open, sorted. */
  divergentDigests: string[];
  /** How many more divergent digests (conflicting outputs) the incident saw than it names; absent when none. */
  divergentDigestsOmitted?: number;
  recoveryMs?: number;
  correlationId?: string;
  /** State incidents: whether the desired state came from a promotion or a rollback. */
  desiredFrom?: 'promotion' | 'rollback';
  /** Determinism incidents: the input digest that produced several outputs. */
  inputDigest?: string;
  /**
   * State incidents, for the alert text only (never stored): the first
   * divergent sources by id with the digest each serves, at most
   * MAX_LISTED_SOURCES of them (a key may have a thousand replicas), how many
   * are divergent and how many report at all. Refreshed with every change of
   * the incident, not on its own (that would emit an update per observation).
   * Determinism incidents: the replica whose run gave the conflicting output
   * that opened it, with that output.
   */
  divergentSources?: Array<{ sourceId: string; digest: string }>;
  divergentSourceCount?: number;
  sourceCount?: number;
  /** State incidents: the promotion (or rollback) that set the expected digest — id, actor, correlation id. */
  desiredPromotionId?: string;
  desiredActor?: string;
  desiredCorrelationId?: string;
}

/** One judged observation (an ok hydration or index event), emitted by the state-drift processor. */
export interface Observation {
  key: string;
  env: string;
  artifact: string;
  /** `<type>:<instance>` */
  sourceId: string;
  digest: string;
  /** false when the key has no desired state yet (unmanaged: counted, never judged). */
  managed: boolean;
  divergent: boolean;
}

/** 5-minute drift window per key (SPEC §5). */
export interface DriftWindowRow {
  windowStart: number;
  windowEnd: number;
  env: string;
  artifact: string;
  observations: number;
  divergentObservations: number;
  /** Distinct sources (and divergent ones) seen in the window, counted up to maxSourcesPerKey (drift-windows.ts). */
  sources: number;
  divergentSources: number;
  hydrations: number;
  hydrationErrors: number;
  indexOps: number;
  indexErrors: number;
  /** p50/p90 index latency in ms over the window (exact up to EXACT_LATENCIES_KEPT ops, within 1 % past); null when no index ops. */
  indexLatencyP50: number | null;
  indexLatencyP90: number | null;
  lateEvents: number;
}

/** Per-environment rollup of the same window (index error rate, hydration health). */
export interface EnvWindowRow {
  windowStart: number;
  windowEnd: number;
  env: string;
  observations: number;
  divergentObservations: number;
  hydrations: number;
  hydrationErrors: number;
  indexOps: number;
  indexErrors: number;
  lateEvents: number;
  /**
   * Not stored, for index_error_rate_high's text: the artifacts with the most
   * index errors in the window (errors > 0), at most MAX_LISTED_ITEMS, most
   * first. Absent in rollups from before it was kept.
   */
  indexErrorArtifacts?: Array<{ artifact: string; errors: number }>;
}

/** Rolling MTTR over one trailing window for one scope (SPEC §4.6). */
export interface MttrSnapshot {
  /** Event time the snapshot describes. */
  asOf: number;
  /** An env name, or '*' for overall. */
  scope: string;
  window: '1h' | '24h' | '7d';
  resolvedCount: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  /** Open state incidents in the scope at asOf, and the age of the oldest. */
  openIncidents: number;
  oldestOpenMs: number | null;
}

/** The oldest open state incident of an env, named in an mttr_breach alert. */
export interface OldestOpenIncident {
  env: string;
  incidentId: string;
  artifact: string;
  startedAt: number;
}

export type AuditCategory = 'hydration' | 'promotion' | 'drift' | 'index' | 'security' | 'performance';

/** Audit record (seed: audit-log design): who/what/when, with correlation ids. */
export interface AuditRecord {
  at: number;
  category: AuditCategory;
  action: string;
  env?: string;
  artifact?: string;
  actor?: string;
  subjectId?: string;
  correlationId?: string;
  details: Record<string, unknown>;
}

export type Fact =
  /**
   * A valid, deduplicated input event, released in event-time order. `tied`: another event of the same `at` follows
   * at once (the orderer releases an instant's events together), so a processor judging state at `at` may wait for
   * the instant's last event; unset = false.
   */
  | { kind: 'event'; at: number; envelope: Envelope; tied?: boolean }
  /** An event that arrived too late to be processed in order; `at` is the frontier when it arrived. */
  | { kind: 'late'; at: number; envelope: Envelope; frontier: number }
  /** The frontier moved to `at`: no event with a smaller time follows; timers due by `at` may fire. At end of input `at` is +Infinity. */
  | { kind: 'advance'; at: number }
  | { kind: 'observation'; at: number; observation: Observation; correlationId?: string }
  | { kind: 'incident'; at: number; change: 'opened' | 'updated' | 'resolved'; incident: Incident }
  | { kind: 'drift-window'; at: number; row: DriftWindowRow }
  | { kind: 'env-window'; at: number; row: EnvWindowRow }
  | { kind: 'promotion-window'; at: number; row: PromotionWindowRow }
  | { kind: 'promotion-outcome'; at: number; outcome: PromotionOutcome }
  /** `oldestOpen`: for each env whose oldest open incident is past the breach age, that incident (for mttr_breach's text). */
  | { kind: 'mttr'; at: number; snapshots: MttrSnapshot[]; oldestOpen?: OldestOpenIncident[] }
  /** `firstFiring`: the instance's first firing (not a re-emission on escalation or severity change); unset = false. */
  | { kind: 'alert'; at: number; alert: AlertEvent; firstFiring?: boolean }
  | { kind: 'audit'; at: number; record: AuditRecord };

export type FactKind = Fact['kind'];
export type FactOf<K extends FactKind> = Extract<Fact, { kind: K }>;
