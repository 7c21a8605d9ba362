/**
 * Facts → table rows, the single place where engine types meet column names
 * (with event-rows.ts for the raw events and window-rows.ts for the windows
 * and MTTR snapshots, which `map` calls).
 * A row is a plain object whose keys are the columns of `sql/migrations`; the
 * writer JSON.stringify-s it once into a JSONEachRow line, whatever transport
 * sends it. Conventions:
 * - times are epoch ms numbers (ClickHouse reads them into DateTime64(3) as
 *   milliseconds); alert timestamps, ISO strings in the event, are converted
 *   here so no server-side date parsing setting matters;
 * - an optional field is left `undefined`, so JSON.stringify drops the key and
 *   the column takes its DEFAULT (NULL for Nullable columns) — cheaper than
 *   writing nulls and robust to columns added later;
 * - nothing here reads the wall clock: the same facts give the same rows.
 */
import { isUtf8 } from 'node:buffer';
import type { AlertEvent } from '../schemas/alert-event.js';
import type { DeadLetter, Fact, Incident } from '../processors/facts.js';
import { isShareAlert } from '../processors/alerting/alert-key.js';
import { eventRow, offsetOf } from './event-rows.js';
import { driftWindowRows, envWindowRows, mttrSnapshotRows, promotionWindowRows } from './window-rows.js';
import type { StoreTable } from './tables.js';

export type Row = Record<string, unknown>;
export type RowSink = (table: StoreTable, row: Row) => void;
export interface StoreRow {
  table: StoreTable;
  row: Row;
}

const changeRank = { opened: 0, updated: 1, resolved: 2 } as const;
/** promotion_outcomes versions per ms of decision time (RowMapper.#outcomeVersions). */
const OUTCOMES_PER_MS = 1024;

export class RowMapper {
  /**
   * `instance_id` of env-level rows (env, promotion and gate windows, MTTR
   * snapshots, per-env rules' alerts): the engine instance whose share of the
   * partitions they cover (sql/migrations/0006, 0015). Undefined (replay,
   * demo): the column's ''.
   */
  readonly #instanceId: string | undefined;

  constructor(options: { instanceId?: string } = {}) {
    this.#instanceId = options.instanceId === '' ? undefined : options.instanceId;
  }

  /**
   * Last version written per open incident. Versions derive from event time
   * (changedAt × 4 + rank of the change), so they grow across restarts; this
   * map only breaks ties between changes of one incident at the same instant
   * (e.g. two updates in one ms) so the later change always wins in
   * ReplacingMergeTree(version). Entries go when the incident resolves.
   */
  readonly #lastVersion = new Map<string, number>();

  /**
   * promotion_outcomes versions (migration 0010: ReplacingMergeTree(version),
   * the highest is the promotion's outcome) follow the order in which the
   * engine decided the outcomes: the fact's `at` × 1024, which grows across
   * restarts and replays, then the order of one promotion's outcomes decided
   * at one instant (up to 1023 more: late events learnt at one frontier can
   * decide several; × 4 before, so a fifth collided with the next ms, and
   * every version written then is below these). Still safe integers past
   * the year 2100. The order within an instant is this mapper's (in
   * memory): an outcome decided after a restart or a rebalance at the very
   * ms of an earlier one of the same promotion, written before, is ordered
   * as the first of that ms. Not the decision's event time: a success learnt late
   * after its promotion's rollback (handled at the frontier) is decided after
   * it, at an earlier event time, and lost to it. This map holds the versions
   * given at the latest `at` only (ties are only ever among those).
   */
  #outcomesAt = -Infinity;
  readonly #outcomeVersions = new Map<string, number>();

  /**
   * Calls `out` for every row `fact` stores; kinds that are not stored
   * (advance, observation) give none. `instanceId` overrides the mapper's
   * own for env-level rows (a departed instance's share, finished by another).
   */
  map(fact: Fact, out: RowSink, instanceId: string | undefined = this.#instanceId): void {
    switch (fact.kind) {
      case 'event':
        eventRow(fact.envelope, false, out);
        return;
      case 'late':
        eventRow(fact.envelope, true, out);
        return;
      case 'incident':
        out('incidents', this.#incidentRow(fact.incident, fact.change, fact.at));
        return;
      case 'drift-window':
        driftWindowRows(fact.row, out);
        return;
      case 'env-window':
        envWindowRows(fact.row, instanceId, out);
        return;
      case 'promotion-window':
        promotionWindowRows(fact.row, instanceId, out);
        return;
      case 'promotion-outcome': {
        // Per promotion, not env-level: a promotion is one key's, so one instance's (no instance_id, migration 0010).
        const o = fact.outcome;
        out('promotion_outcomes', {
          env: o.env,
          promotion_id: o.promotionId,
          artifact: o.artifact,
          first_ended_at: o.firstEndedAt,
          outcome: o.outcome,
          decided_at: o.decidedAt,
          rolled_back_at: o.rolledBackAt,
          correlation_id: o.correlationId,
          version: this.#outcomeVersion(`${o.env}\u0000${o.promotionId}`, fact.at),
        });
        return;
      }
      case 'mttr':
        mttrSnapshotRows(fact.snapshots, instanceId, out);
        return;
      case 'alert':
        out('alerts', alertRow(fact.alert, fact.at, isShareAlert(fact.alert) ? instanceId : undefined));
        return;
      case 'audit': {
        const r = fact.record;
        out('audit_log', {
          at: r.at,
          category: r.category,
          action: r.action,
          env: r.env,
          artifact: r.artifact,
          actor: r.actor,
          subject_id: r.subjectId,
          correlation_id: r.correlationId,
          details: JSON.stringify(r.details ?? {}),
        });
        return;
      }
      case 'advance':
      case 'observation':
        return;
    }
  }

  /** The rows of one fact as a list (tests and tools; the writer uses `map`). */
  rows(fact: Fact): StoreRow[] {
    const rows: StoreRow[] = [];
    this.map(fact, (table, row) => rows.push({ table, row }));
    return rows;
  }

  #outcomeVersion(promotion: string, at: number): number {
    if (at !== this.#outcomesAt) {
      this.#outcomesAt = at;
      this.#outcomeVersions.clear();
    }
    const last = this.#outcomeVersions.get(promotion);
    const version = last === undefined ? at * OUTCOMES_PER_MS : Math.min(last + 1, at * OUTCOMES_PER_MS + OUTCOMES_PER_MS - 1);
    this.#outcomeVersions.set(promotion, version);
    return version;
  }

  #incidentRow(i: Incident, change: 'opened' | 'updated' | 'resolved', at: number): Row {
    // The end-of-input advance carries at = +Infinity; a change handled then
    // happened at the incident's own latest time.
    const changedAt = Number.isFinite(at) ? at : (i.resolvedAt ?? i.detectedAt);
    const last = this.#lastVersion.get(i.incidentId);
    const version = Math.max(changedAt * 4 + changeRank[change], last === undefined ? 0 : last + 1);
    if (change === 'resolved') this.#lastVersion.delete(i.incidentId);
    else this.#lastVersion.set(i.incidentId, version);
    return {
      incident_id: i.incidentId,
      kind: i.kind,
      env: i.env,
      artifact: i.artifact,
      rule_id: i.ruleId,
      severity: i.severity,
      started_at: i.startedAt,
      detected_at: i.detectedAt,
      resolved_at: i.resolvedAt ?? undefined,
      reason: i.reason,
      expected_digest: i.expectedDigest,
      divergent_digests: i.divergentDigests,
      divergent_digests_omitted: i.divergentDigestsOmitted, // absent (the DEFAULT 0, migration 0017) when it names every digest
      recovery_ms: i.recoveryMs,
      correlation_id: i.correlationId,
      desired_from: i.desiredFrom,
      input_digest: i.inputDigest,
      change,
      changed_at: changedAt,
      version,
    };
  }
}

/**
 * `instanceId`: of a per-env rule's alert, the instance whose share it is; with `emission_key` (= alert_id) it
 * tells distinct emissions apart in the sorting key (migration 0015), so a second instance's emission is a row of
 * its own while the same emission written again collapses.
 */
function alertRow(a: AlertEvent, at: number, instanceId: string | undefined): Row {
  const startsAt = Date.parse(a.startsAt);
  const endsAt = a.endsAt === undefined ? undefined : Date.parse(a.endsAt);
  return {
    alert_id: a.alertId,
    emission_key: a.alertId,
    instance_id: instanceId,
    fingerprint: a.fingerprint,
    rule: a.rule,
    status: a.status,
    severity: a.severity,
    escalation_level: a.escalationLevel,
    env: a.labels.env ?? '',
    artifact: a.labels.artifact ?? '',
    labels: a.labels,
    summary: a.annotations.summary,
    description: a.annotations.description,
    runbook_url: a.annotations.runbookUrl,
    notify: a.annotations.notify ?? '',
    channels: a.annotations.channels ?? '',
    respond_within: a.annotations.respondWithin ?? '',
    starts_at: startsAt,
    ends_at: endsAt,
    incident_id: a.incidentId,
    correlation_id: a.correlationId,
    emitted_at: Date.parse(a.emittedAt),
    // The engine's event time at emission: deterministic, part of the dedup key.
    event_time: Number.isFinite(at) ? at : (endsAt ?? startsAt),
  };
}

/** A dead letter as a `dead_letters` row; raw bytes that are not UTF-8 are kept as base64. */
export function deadLetterRow(dl: DeadLetter): Row {
  const raw = typeof dl.raw === 'string' ? { raw: dl.raw, raw_encoding: 'utf8' } : bytesColumn(dl.raw);
  const key = dl.key == null ? undefined : typeof dl.key === 'string' ? dl.key : bytesColumn(dl.key).raw;
  const src = dl.source;
  return {
    reason: dl.reason,
    ...raw,
    record_key: key,
    headers: dl.headers ?? {},
    source_topic: src?.topic,
    source_partition: src?.partition,
    source_offset: offsetOf(src),
    source_line: src?.line,
  };
}

function bytesColumn(b: Buffer): { raw: string; raw_encoding: 'utf8' | 'base64' } {
  return isUtf8(b) ? { raw: b.toString('utf8'), raw_encoding: 'utf8' } : { raw: b.toString('base64'), raw_encoding: 'base64' };
}

/**
 * An `engine_metrics` point. Label keys are sorted so one series always has
 * the same Map (it is hashed into the sorting key).
 */
export function metricRow(name: string, value: number, labels: Record<string, string>, at: number): Row {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) sorted[k] = labels[k]!;
  return { at, name, labels: sorted, value };
}
