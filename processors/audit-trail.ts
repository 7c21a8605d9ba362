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
 *   behind the frontier).
 * Stateless and cheap: ok observations, ok hydrations/index ops and derived
 * rows are not audited (their history and windows are stored elsewhere).
 * The inputs carry no authentication events, so nothing maps to `security`.
 * Record `at` is the fact's event time (for late events: the frontier when
 * the event arrived; its own occurredAt is in details).
 */
import type { AuditCategory, AuditRecord, Envelope, Fact, FactOf } from './facts.js';
import type { Emit, Processor } from './processor.js';

export class AuditTrailProcessor implements Processor {
  readonly name = 'audit-trail';

  handle(fact: Fact, emit: Emit): void {
    const record = auditRecordFor(fact);
    if (record) emit({ kind: 'audit', at: fact.at, record });
  }
}

/** The audit record for one fact, or undefined when the fact is not audited. */
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

function eventRecord(at: number, envelope: Envelope): AuditRecord | undefined {
  const e = envelope.event;
  const base = { at, env: e.env, artifact: e.artifact, correlationId: e.correlationId };
  if (e.type === 'promotion') {
    return compact<AuditRecord>({
      ...base,
      category: 'promotion',
      action: `promotion.${e.phase}`,
      actor: e.actor,
      subjectId: e.promotionId,
      details: compact({
        eventId: e.eventId,
        version: e.version,
        digest: e.digest,
        fromEnv: e.fromEnv,
        gate: e.gate,
        snapshot: e.snapshot,
        rollbackTo: e.rollbackTo,
        reason: e.reason,
      }),
    });
  }
  if (e.status !== 'error') return undefined;
  if (e.type === 'hydration') {
    return compact<AuditRecord>({
      ...base,
      category: 'hydration',
      action: 'hydration.error',
      subjectId: e.ruleId,
      details: compact({
        eventId: e.eventId,
        ruleId: e.ruleId,
        instance: e.instance,
        inputDigest: e.inputDigest,
        durationMs: e.durationMs,
        error: e.error,
      }),
    });
  }
  return compact<AuditRecord>({
    ...base,
    category: 'index',
    action: 'index.error',
    subjectId: e.instance,
    details: compact({
      eventId: e.eventId,
      op: e.op,
      instance: e.instance,
      shard: e.shard,
      servedDigest: e.servedDigest,
      latencyMs: e.latencyMs,
    }),
  });
}

function lateRecord(fact: FactOf<'late'>): AuditRecord {
  const e = fact.envelope.event;
  return compact<AuditRecord>({
    at: fact.at,
    category: 'performance',
    action: 'event.late',
    env: e.env,
    artifact: e.artifact,
    subjectId: e.eventId,
    correlationId: e.correlationId,
    details: compact({
      eventId: e.eventId,
      type: e.type,
      occurredAt: fact.envelope.at,
      frontier: fact.frontier,
      lagMs: fact.frontier - fact.envelope.at,
      source: fact.envelope.source,
    }),
  });
}

function incidentRecord(fact: FactOf<'incident'>): AuditRecord {
  const i = fact.incident;
  const category: AuditCategory = i.kind === 'state' ? 'drift' : 'hydration';
  return compact<AuditRecord>({
    at: fact.at,
    category,
    action: `incident.${fact.change}`,
    env: i.env,
    artifact: i.artifact,
    subjectId: i.incidentId,
    correlationId: i.correlationId,
    details: compact({
      kind: i.kind,
      severity: i.severity,
      ruleId: i.ruleId,
      startedAt: i.startedAt,
      detectedAt: i.detectedAt,
      resolvedAt: i.resolvedAt,
      reason: i.reason,
      expectedDigest: i.expectedDigest,
      divergentDigests: i.divergentDigests,
      inputDigest: i.inputDigest,
      recoveryMs: i.recoveryMs,
      desiredFrom: i.desiredFrom,
    }),
  });
}

/** Drops undefined fields so records serialise without noise. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
