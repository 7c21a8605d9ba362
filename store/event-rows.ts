/**
 * Raw history rows: one row per input event, with a typed column for every
 * field of SPEC §3 (see sql/migrations/0001_raw_history.sql). This is the hot
 * path of a replay (one call per event), so rows are built as flat literals.
 */
import type { Envelope, SourcePosition } from '../processors/facts.js';
import type { RowSink } from './row-mappers.js';

export function eventRow(envelope: Envelope, late: boolean, out: RowSink): void {
  const e = envelope.event;
  const src = envelope.source;
  switch (e.type) {
    case 'promotion':
      out('promotion_events', {
        event_id: e.eventId,
        occurred_at: envelope.at,
        env: e.env,
        artifact: e.artifact,
        correlation_id: e.correlationId,
        promotion_id: e.promotionId,
        phase: e.phase,
        version: e.version,
        digest: e.digest,
        from_env: e.fromEnv,
        gate_name: e.gate?.name,
        gate_result: e.gate?.result,
        gate_duration_ms: e.gate?.durationMs,
        snapshot_id: e.snapshot?.snapshotId,
        snapshot_verified: e.snapshot === undefined ? undefined : e.snapshot.verified ? 1 : 0,
        rollback_version: e.rollbackTo?.version,
        rollback_digest: e.rollbackTo?.digest,
        actor: e.actor,
        reason: e.reason,
        late: late ? 1 : 0,
        source_topic: src?.topic,
        source_partition: src?.partition,
        source_offset: offsetOf(src),
        source_line: src?.line,
      });
      return;
    case 'hydration':
      out('hydration_events', {
        event_id: e.eventId,
        occurred_at: envelope.at,
        env: e.env,
        artifact: e.artifact,
        correlation_id: e.correlationId,
        rule_id: e.ruleId,
        instance: e.instance,
        input_digest: e.inputDigest,
        output_digest: e.outputDigest,
        duration_ms: e.durationMs,
        status: e.status,
        error: e.error,
        late: late ? 1 : 0,
        source_topic: src?.topic,
        source_partition: src?.partition,
        source_offset: offsetOf(src),
        source_line: src?.line,
      });
      return;
    case 'index':
      out('index_events', {
        event_id: e.eventId,
        occurred_at: envelope.at,
        env: e.env,
        artifact: e.artifact,
        correlation_id: e.correlationId,
        op: e.op,
        instance: e.instance,
        served_digest: e.servedDigest,
        latency_ms: e.latencyMs,
        status: e.status,
        shard: e.shard,
        late: late ? 1 : 0,
        source_topic: src?.topic,
        source_partition: src?.partition,
        source_offset: offsetOf(src),
        source_line: src?.line,
      });
      return;
  }
}

/** Kafka offsets arrive as strings (kafkajs); the column is Int64. */
export function offsetOf(src: SourcePosition | undefined): number | undefined {
  if (src?.offset === undefined) return undefined;
  const offset = Number(src.offset);
  return Number.isSafeInteger(offset) ? offset : undefined;
}
