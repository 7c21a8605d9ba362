/**
 * The rows of the aggregates the processors emit: drift windows per key,
 * their env rollups, promotion windows with their per-gate rows, and MTTR
 * snapshots (tables of sql/migrations/0002_windows.sql and
 * 0003_incidents_mttr_alerts.sql). Env-level rows carry `instance_id`
 * (RowMapper's, or the departed instance's share being finished; 0006).
 *
 * Split out of row-mappers.ts (RowMapper.map calls these), which keeps the
 * rows that need its memory (incident and promotion-outcome versions) and
 * the others; the conventions of its module comment hold here (epoch ms,
 * `undefined` for an absent optional column). A window fact is one per
 * window close, not per event: these are plain function calls, no callbacks.
 */
import type { DriftWindowRow, EnvWindowRow, MttrSnapshot } from '../processors/facts.js';
import type { PromotionWindowRow } from '../processors/promotion-facts.js';
import type { RowSink } from './row-mappers.js';

/** A `drift-window` fact's row. */
export function driftWindowRows(r: DriftWindowRow, out: RowSink): void {
  out('drift_windows', {
    window_start: r.windowStart,
    window_end: r.windowEnd,
    env: r.env,
    artifact: r.artifact,
    observations: r.observations,
    divergent_observations: r.divergentObservations,
    sources: r.sources,
    divergent_sources: r.divergentSources,
    hydrations: r.hydrations,
    hydration_errors: r.hydrationErrors,
    index_ops: r.indexOps,
    index_errors: r.indexErrors,
    index_latency_p50_ms: r.indexLatencyP50 ?? undefined,
    index_latency_p90_ms: r.indexLatencyP90 ?? undefined,
    late_events: r.lateEvents,
  });
}

/** An `env-window` fact's row. */
export function envWindowRows(r: EnvWindowRow, instanceId: string | undefined, out: RowSink): void {
  out('env_windows', {
    window_start: r.windowStart,
    window_end: r.windowEnd,
    env: r.env,
    instance_id: instanceId,
    observations: r.observations,
    divergent_observations: r.divergentObservations,
    hydrations: r.hydrations,
    hydration_errors: r.hydrationErrors,
    index_ops: r.indexOps,
    index_errors: r.indexErrors,
    late_events: r.lateEvents,
  });
}

/** A `promotion-window` fact's row, and one `gate_windows` row per gate that ran in the window. */
export function promotionWindowRows(r: PromotionWindowRow, instanceId: string | undefined, out: RowSink): void {
  out('promotion_windows', {
    window_start: r.windowStart,
    window_end: r.windowEnd,
    env: r.env,
    instance_id: instanceId,
    started: r.started,
    succeeded: r.succeeded,
    failed: r.failed,
    rolled_back: r.rolledBack,
    rolled_back_after_success: r.rolledBackAfterSuccess,
    promotions_ended: r.promotionsEnded,
    duration_count: r.durationCount,
    duration_sum_ms: r.durationSumMs,
    duration_p50_ms: r.durationP50Ms ?? undefined,
    duration_p90_ms: r.durationP90Ms ?? undefined,
    duration_max_ms: r.durationMaxMs ?? undefined,
    snapshots_verified: r.snapshotsVerified,
    snapshots_unverified: r.snapshotsUnverified,
  });
  for (const g of r.gates) {
    out('gate_windows', {
      window_start: r.windowStart,
      window_end: r.windowEnd,
      env: r.env,
      gate: g.gate,
      instance_id: instanceId,
      passed: g.passed,
      failed: g.failed,
      duration_p50_ms: g.durationP50Ms ?? undefined,
      duration_p90_ms: g.durationP90Ms ?? undefined,
    });
  }
}

/** An `mttr` fact's rows: one per scope × window snapshot. */
export function mttrSnapshotRows(snapshots: readonly MttrSnapshot[], instanceId: string | undefined, out: RowSink): void {
  for (const s of snapshots) {
    out('mttr_snapshots', {
      as_of: s.asOf,
      scope: s.scope,
      instance_id: instanceId,
      window: s.window,
      resolved_count: s.resolvedCount,
      mean_ms: s.meanMs ?? undefined,
      p50_ms: s.p50Ms ?? undefined,
      p90_ms: s.p90Ms ?? undefined,
      open_incidents: s.openIncidents,
      oldest_open_ms: s.oldestOpenMs ?? undefined,
    });
  }
}
