/**
 * Audit trail (seed: audit-log design): turns the facts worth an auditor's
 * attention into `audit` facts — who/what/when, with correlation ids — in the
 * seed's categories (hydration, promotion, drift, index, security,
 * performance).
 *
 * Audited:
 * - every promotion event → promotion `promotion.<phase>`; subjectId =
 *   promotionId, actor, and version/digest/gate/snapshot/rollbackTo/reason in
 *   details;
 * - every state incident change → drift `incident.<opened|updated|resolved>`;
 *   determinism incidents → hydration with the same actions; subjectId =
 *   incidentId (updates are rare state changes, so they are kept too);
 * - hydration errors → hydration `hydration.error` (subjectId = ruleId);
 * - index errors → index `index.error` (subjectId = instance);
 * - late events → performance `event.late` (subjectId = eventId, with the lag
 *   behind the frontier). A late event audited in order (a promotion event,
 *   a hydration or index error) gets its own record too, exactly the one it
 *   gets in order (`at` = its occurredAt, no late mark): `promotion.%` holds
 *   who did what for every promotion step once (a late human `rolled_back`
 *   with its actor and reason too), `event.late` counts late events of every
 *   type once, and the two meet on the eventId (details.eventId =
 *   subject_id of `event.late`). Not marked late because every column takes
 *   part in audit_log's dedup key: an event processed in order by one
 *   instance whose commit was then abandoned (store rows are written before
 *   the transaction) and again, late, by the member that takes its partition
 *   over must give the same row, not a second one.
 * Stateless and cheap: ok observations, ok hydrations/index ops and derived
 * rows are not audited (their history and windows are stored elsewhere).
 * The inputs carry no authentication events, so nothing here maps to
 * `security`: those records come from the hand-made store changes of
 * `query --write` and `sql migrate` (store/admin-audit.ts) and from the
 * refused logins live mode sees (engine/live/live-audit.ts, which also
 * records the instance's health transitions as `performance`).
 * Record `at` is the fact's event time (for `event.late`: the frontier when
 * the event arrived; its own occurredAt is in details).
 */
import type { AuditCategory, AuditRecord, Envelope, Fact, FactKind, FactOf } from './facts.js';
import type { Emit, Processor } from './processor.js';

export class AuditTrailProcessor implements Processor {
  readonly name = 'audit-trail';
  /** The kinds `auditRecordFor` audits; the processor keeps no state and has no timers (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> = new Set<FactKind>(['event', 'late', 'incident']);

  idleAt(): boolean {
    return true;
  }

  handle(fact: Fact, emit: Emit): void {
    const record = auditRecordFor(fact);
    if (record) emit({ kind: 'audit', at: fact.at, record });
    if (fact.kind === 'late') {
      const own = eventRecord(fact.envelope.at, fact.envelope);
      if (own) emit({ kind: 'audit', at: fact.at, record: own });
    }
  }
}

/**
 * The audit record for one fact, or undefined when the fact is not audited.
 * For a late fact, its `event.late` record; the handler adds the event's own.
 */
export function auditRecordFor(fact: Fact): AuditRecord | undefined {
  switch (fact.kind) {
    case 'event':
      return eventRecord(fact.at, fact.envelope);
    case 'late':
      return lateRecord(fact);
    case 'incident':
      return incidentRecord(fact);
    default:
      return undefined;
  }
}

/*
 * The builders below assign each optional field only when it is defined, in
 * the order of the record's fields, so records have exactly the keys (and key
 * order) of the literal with its undefined fields dropped. They spell the
 * assignments out rather than copying a literal without its undefined
 * values: adding properties under computed names is a slow path in V8, and
 * it made a promotion's record cost several microseconds.
 */
type Rec = Record<string, unknown>;

function eventRecord(at: number, envelope: Envelope): AuditRecord | undefined {
  const e = envelope.event;
  // Most events (ok hydrations and index ops) are not audited: decide before building anything.
  if (e.type !== 'promotion' && e.status !== 'error') return undefined;
  const r: Rec = { at };
  if (e.env !== undefined) r.env = e.env;
  if (e.artifact !== undefined) r.artifact = e.artifact;
  if (e.correlationId !== undefined) r.correlationId = e.correlationId;
  const d: Rec = {};
  if (e.eventId !== undefined) d.eventId = e.eventId;
  if (e.type === 'promotion') {
    r.category = 'promotion';
    r.action = `promotion.${e.phase}`;
    if (e.actor !== undefined) r.actor = e.actor;
    if (e.promotionId !== undefined) r.subjectId = e.promotionId;
    if (e.version !== undefined) d.version = e.version;
    if (e.digest !== undefined) d.digest = e.digest;
    if (e.fromEnv !== undefined) d.fromEnv = e.fromEnv;
    if (e.gate !== undefined) d.gate = e.gate;
    if (e.snapshot !== undefined) d.snapshot = e.snapshot;
    if (e.rollbackTo !== undefined) d.rollbackTo = e.rollbackTo;
    if (e.reason !== undefined) d.reason = e.reason;
  } else if (e.type === 'hydration') {
    r.category = 'hydration';
    r.action = 'hydration.error';
    if (e.ruleId !== undefined) r.subjectId = e.ruleId;
    if (e.ruleId !== undefined) d.ruleId = e.ruleId;
    if (e.instance !== undefined) d.instance = e.instance;
    if (e.inputDigest !== undefined) d.inputDigest = e.inputDigest;
    if (e.durationMs !== undefined) d.durationMs = e.durationMs;
    if (e.error !== undefined) d.error = e.error;
  } else {
    r.category = 'index';
    r.action = 'index.error';
    if (e.instance !== undefined) r.subjectId = e.instance;
    if (e.op !== undefined) d.op = e.op;
    if (e.instance !== undefined) d.instance = e.instance;
    if (e.shard !== undefined) d.shard = e.shard;
    if (e.servedDigest !== undefined) d.servedDigest = e.servedDigest;
    if (e.latencyMs !== undefined) d.latencyMs = e.latencyMs;
  }
  r.details = d;
  return r as unknown as AuditRecord;
}

/** The action of a late event's record (dated by the frontier it met: live mode holds it until its commit, engine/live/held-share-rows.ts). */
export const LATE_ACTION = 'event.late';

function lateRecord(fact: FactOf<'late'>): AuditRecord {
  const e = fact.envelope.event;
  const r: Rec = { at: fact.at, category: 'performance', action: LATE_ACTION };
  if (e.env !== undefined) r.env = e.env;
  if (e.artifact !== undefined) r.artifact = e.artifact;
  if (e.eventId !== undefined) r.subjectId = e.eventId;
  if (e.correlationId !== undefined) r.correlationId = e.correlationId;
  const d: Rec = {};
  if (e.eventId !== undefined) d.eventId = e.eventId;
  if (e.type !== undefined) d.type = e.type;
  d.occurredAt = fact.envelope.at;
  d.frontier = fact.frontier;
  d.lagMs = fact.frontier - fact.envelope.at;
  if (fact.envelope.source !== undefined) d.source = fact.envelope.source;
  r.details = d;
  return r as unknown as AuditRecord;
}

function incidentRecord(fact: FactOf<'incident'>): AuditRecord {
  const i = fact.incident;
  const category: AuditCategory = i.kind === 'state' ? 'drift' : 'hydration';
  const r: Rec = { at: fact.at, category, action: `incident.${fact.change}` };
  if (i.env !== undefined) r.env = i.env;
  if (i.artifact !== undefined) r.artifact = i.artifact;
  if (i.incidentId !== undefined) r.subjectId = i.incidentId;
  if (i.correlationId !== undefined) r.correlationId = i.correlationId;
  const d: Rec = {};
  if (i.kind !== undefined) d.kind = i.kind;
  if (i.severity !== undefined) d.severity = i.severity;
  if (i.ruleId !== undefined) d.ruleId = i.ruleId;
  if (i.startedAt !== undefined) d.startedAt = i.startedAt;
  if (i.detectedAt !== undefined) d.detectedAt = i.detectedAt;
  if (i.resolvedAt !== undefined) d.resolvedAt = i.resolvedAt;
  if (i.reason !== undefined) d.reason = i.reason;
  if (i.expectedDigest !== undefined) d.expectedDigest = i.expectedDigest;
  if (i.divergentDigests !== undefined) d.divergentDigests = i.divergentDigests;
  if (i.divergentDigestsOmitted !== undefined) d.divergentDigestsOmitted = i.divergentDigestsOmitted;
  if (i.inputDigest !== undefined) d.inputDigest = i.inputDigest;
  if (i.recoveryMs !== undefined) d.recoveryMs = i.recoveryMs;
  if (i.desiredFrom !== undefined) d.desiredFrom = i.desiredFrom;
  r.details = d;
  return r as unknown as AuditRecord;
}
