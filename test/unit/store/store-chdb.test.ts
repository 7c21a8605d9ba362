/**
 * The writer, the sink and the SQL together on the real embedded engine
 * (chDB, in-process). Each test gets its own data directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { tempEmbeddedStore, type Cleanups } from '../../helpers/temp-embedded-store.js';
import { runQuery } from '../../../store/open-store.js';
import { storeSink } from '../../../store/store-sink.js';
import { StoreWriter } from '../../../store/store-writer.js';
import { hydration, oneOfEachKind, T0 } from './fixtures.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const store = () => tempEmbeddedStore(cleanups);

const tablesWritten = [
  'promotion_events', 'hydration_events', 'index_events', 'incidents', 'alerts', 'audit_log', 'drift_windows',
  'env_windows', 'promotion_windows', 'gate_windows', 'mttr_snapshots', 'dead_letters', 'engine_metrics',
];

async function counts(t: ChdbTransport, final: boolean): Promise<Record<string, number>> {
  const sql = tablesWritten.map((n) => `SELECT '${n}' AS t, count() AS n FROM driftwatch.${n}${final ? ' FINAL' : ''}`).join(' UNION ALL ');
  const rows = await t.query<{ t: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

async function writeAll(t: ChdbTransport): Promise<StoreWriter> {
  const w = new StoreWriter(t, { flushIntervalMs: 0 });
  for (const f of oneOfEachKind()) w.write(f);
  w.writeDeadLetter({ reason: 'occurredAt: expected an RFC 3339 timestamp', raw: '{"type":"index"}', source: { line: 12 } });
  w.writeMetric('events_total', 4, { type: 'hydration', env: 'prod' }, T0 + 60_000);
  await w.close();
  return w;
}

describe('StoreWriter on chDB', () => {
  it('writes every fact kind into its table with the expected columns and values', async () => {
    const t = await store();
    const w = await writeAll(t);
    expect(await counts(t, true)).toEqual({
      promotion_events: 2, hydration_events: 1, index_events: 1, incidents: 1, alerts: 1, audit_log: 1, drift_windows: 1,
      env_windows: 1, promotion_windows: 1, gate_windows: 2, mttr_snapshots: 2, dead_letters: 1, engine_metrics: 1,
    });
    expect(w.stats().rowsWritten).toMatchObject({ promotion_events: 2, incidents: 2, gate_windows: 2 });

    expect(await t.query("SELECT event_id, occurred_at, phase, version, digest, from_env, gate_name, actor, correlation_id, late, source_line FROM driftwatch.promotion_events WHERE phase = 'started'")).toEqual([
      { event_id: 'p-1-started', occurred_at: '2026-11-27 12:00:00.000', phase: 'started', version: '1.2.0', digest: 'sha256:aaa', from_env: 'staging', gate_name: null, actor: 'alice', correlation_id: 'corr-1', late: 0, source_line: 1 },
    ]);
    expect(await t.query("SELECT gate_name, gate_result, gate_duration_ms FROM driftwatch.promotion_events WHERE phase = 'gate'")).toEqual([
      { gate_name: 'smoke', gate_result: 'failed', gate_duration_ms: 1500 },
    ]);
    expect(await t.query('SELECT rule_id, instance, input_digest, output_digest, duration_ms, status, error, source_topic, source_partition, source_offset, source_line FROM driftwatch.hydration_events')).toEqual([
      { rule_id: 'rule-7', instance: 'hyd-0', input_digest: 'sha256:aaa', output_digest: 'sha256:out1', duration_ms: 42.5, status: 'ok', error: null, source_topic: 'driftwatch.hydration.v1', source_partition: 2, source_offset: 1234, source_line: 0 },
    ]);
    expect(await t.query('SELECT occurred_at, op, served_digest, latency_ms, status, shard, late FROM driftwatch.index_events')).toEqual([
      { occurred_at: '2026-11-27 11:50:00.000', op: 'read', served_digest: 'sha256:old', latency_ms: 7, status: 'error', shard: 's3', late: 1 },
    ]);
    expect(await t.query('SELECT incident_id, kind, severity, started_at, detected_at, resolved_at, reason, divergent_digests, recovery_ms, change, desired_from FROM driftwatch.incidents FINAL')).toEqual([
      { incident_id: 'inc-1', kind: 'state', severity: 'high', started_at: '2026-11-27 12:00:00.000', detected_at: '2026-11-27 12:00:30.000', resolved_at: '2026-11-27 12:10:00.000', reason: 'converged', divergent_digests: ['sha256:bad'], recovery_ms: 600000, change: 'resolved', desired_from: 'promotion' },
    ]);
    expect(await t.query('SELECT alert_id, fingerprint, status, escalation_level, env, labels, starts_at, ends_at, emitted_at, event_time, incident_id FROM driftwatch.alerts')).toEqual([
      { alert_id: 'alert-random-1', fingerprint: 'fp-drift-prod-catalog', status: 'firing', escalation_level: 1, env: 'prod', labels: { env: 'prod', artifact: 'catalog', kind: 'state' }, starts_at: '2026-11-27 12:00:00.000', ends_at: null, emitted_at: '2026-11-27 12:00:30.005', event_time: '2026-11-27 12:00:30.000', incident_id: 'inc-1' },
    ]);
    expect(await t.query("SELECT category, action, env, actor, subject_id, JSONExtract(details, 'divergent', 'Array(String)') AS divergent FROM driftwatch.audit_log")).toEqual([
      { category: 'drift', action: 'incident_opened', env: 'prod', actor: '', subject_id: 'inc-1', divergent: ['sha256:bad'] },
    ]);
    expect(await t.query('SELECT window_start, window_end, observations, divergent_sources, index_latency_p50_ms, index_latency_p90_ms, late_events FROM driftwatch.drift_windows')).toEqual([
      { window_start: '2026-11-27 12:00:00.000', window_end: '2026-11-27 12:05:00.000', observations: 10, divergent_sources: 1, index_latency_p50_ms: 5, index_latency_p90_ms: null, late_events: 1 },
    ]);
    expect(await t.query('SELECT env, hydration_errors FROM driftwatch.env_windows')).toEqual([{ env: 'prod', hydration_errors: 1 }]);
    expect(await t.query('SELECT started, succeeded, failed, rolled_back, duration_sum_ms, duration_p90_ms, snapshots_verified FROM driftwatch.promotion_windows')).toEqual([
      { started: 2, succeeded: 1, failed: 1, rolled_back: 0, duration_sum_ms: 90000, duration_p90_ms: 60000, snapshots_verified: 1 },
    ]);
    expect(await t.query('SELECT gate, passed, failed, duration_p50_ms FROM driftwatch.gate_windows ORDER BY gate')).toEqual([
      { gate: 'perf', passed: 2, failed: 0, duration_p50_ms: null },
      { gate: 'smoke', passed: 1, failed: 1, duration_p50_ms: 1500 },
    ]);
    expect(await t.query('SELECT scope, window, resolved_count, mean_ms, open_incidents, oldest_open_ms FROM driftwatch.mttr_snapshots ORDER BY scope')).toEqual([
      { scope: '*', window: '24h', resolved_count: 0, mean_ms: null, open_incidents: 0, oldest_open_ms: null },
      { scope: 'prod', window: '1h', resolved_count: 2, mean_ms: 120000, open_incidents: 1, oldest_open_ms: 270000 },
    ]);
    expect(await t.query('SELECT reason, raw, raw_encoding, source_line FROM driftwatch.dead_letters')).toEqual([
      { reason: 'occurredAt: expected an RFC 3339 timestamp', raw: '{"type":"index"}', raw_encoding: 'utf8', source_line: 12 },
    ]);
    expect(await t.query('SELECT name, labels, value FROM driftwatch.engine_metrics')).toEqual([
      { name: 'events_total', labels: { env: 'prod', type: 'hydration' }, value: 4 },
    ]);
  });

  it('replaying the same facts twice leaves no duplicates under FINAL', async () => {
    const t = await store();
    await writeAll(t);
    const once = await counts(t, true);
    const stored = await counts(t, false);
    await writeAll(t); // a second run: new writer, same facts, so the same batches and batch tokens
    expect(await counts(t, true)).toEqual(once);
    // The server dropped every batch it already had (insert_deduplication_token): no row was stored twice, even before a merge.
    expect(await counts(t, false)).toEqual(stored);
    await t.command('OPTIMIZE TABLE driftwatch.hydration_events FINAL');
    expect(await counts(t, false)).toMatchObject({ hydration_events: 1 });
  });

  it('honours insert_deduplication_token on a table with non_replicated_deduplication_window: the token decides, not the rows', async () => {
    const t = await store();
    const rows = (id: string) => [JSON.stringify({ at: T0, name: 'events_total', labels: { id }, value: 1 })];
    const stored = async () => Number((await t.query<{ n: number }>('SELECT count() AS n FROM driftwatch.engine_metrics'))[0]!.n);
    await t.insert('driftwatch.engine_metrics', rows('a'), { dedupToken: 'engine_metrics-1-x' });
    await t.insert('driftwatch.engine_metrics', rows('a'), { dedupToken: 'engine_metrics-1-x' }); // a retry, or the same batch derived again
    expect(await stored()).toBe(1);
    await t.insert('driftwatch.engine_metrics', rows('b'), { dedupToken: 'engine_metrics-1-x' }); // a seen token drops even other rows
    expect(await stored()).toBe(1);
    await t.insert('driftwatch.engine_metrics', rows('a'), { dedupToken: 'engine_metrics-1-y' }); // the same rows under a new token are stored again:
    expect(await stored()).toBe(2); // why a random token per writer defeated the dedup
  });

  it('keeps each instance\'s share of an env-level window, so sums over them are exact; an instance\'s rewrite replaces its own', async () => {
    const t = await store();
    const envLevel = oneOfEachKind().filter((f) => f.kind === 'env-window' || f.kind === 'promotion-window' || f.kind === 'mttr');
    for (const instanceId of ['engine-a', 'engine-b', 'engine-a']) {
      const w = new StoreWriter(t, { flushIntervalMs: 0, instanceId });
      for (const f of envLevel) w.write(f);
      await w.close();
    }
    expect(await counts(t, true)).toMatchObject({ env_windows: 2, promotion_windows: 2, gate_windows: 4, mttr_snapshots: 4 });
    const [one] = await t.query<{ started: number; succeeded: number }>('SELECT started, succeeded FROM driftwatch.promotion_windows FINAL LIMIT 1');
    expect(await t.query('SELECT instance_id, sum(started) AS started, sum(succeeded) AS succeeded FROM driftwatch.promotion_windows FINAL GROUP BY instance_id ORDER BY instance_id')).toEqual([
      { instance_id: 'engine-a', started: one!.started, succeeded: one!.succeeded },
      { instance_id: 'engine-b', started: one!.started, succeeded: one!.succeeded },
    ]);
    // The dashboards' form: a sum over every row of the window counts both shares.
    expect(await t.query('SELECT sum(started) AS started FROM driftwatch.promotion_windows FINAL')).toEqual([{ started: 2 * one!.started }]);
  });

  it('feeds the daily detection rollup; replays do not inflate its counts', async () => {
    const t = await store();
    await writeAll(t);
    await writeAll(t);
    expect(
      await t.query(`SELECT toString(day) AS day, env, kind, uniqExactMerge(opened) AS opened, uniqExactMerge(resolved) AS resolved,
        maxMerge(detection_ms_max) AS detection_max_ms, quantilesMerge(0.5, 0.9)(recovery_ms) AS recovery
        FROM driftwatch.drift_detection_daily GROUP BY day, env, kind`),
    ).toEqual([{ day: '2026-11-27', env: 'prod', kind: 'state', opened: 1, resolved: 1, detection_max_ms: 30000, recovery: [600000, 600000] }]);
  });

  it('flushes a table by itself when it reaches batchRows', async () => {
    const t = await store();
    const w = new StoreWriter(t, { batchRows: 50, flushIntervalMs: 0 });
    for (let i = 0; i < 120; i++) w.write(hydration(T0 + i, `h-${i}`));
    await w.waitForCapacity(20); // the two full batches land; 20 rows stay buffered
    expect(w.stats()).toMatchObject({ batches: 2, pendingRows: 20 });
    expect(await counts(t, false)).toMatchObject({ hydration_events: 100 });
    await w.close();
    expect(await counts(t, false)).toMatchObject({ hydration_events: 120 });
  });
});

describe('storeSink and runQuery on chDB', () => {
  it('passes every fact through and completes only once the rows are stored', async () => {
    const t = await store();
    const w = new StoreWriter(t, { flushIntervalMs: 0 });
    const facts = oneOfEachKind();
    const out = await lastValueFrom(from(facts).pipe(storeSink(w), toArray()));
    expect(out).toEqual(facts);
    expect(w.pendingRows).toBe(0);
    expect(await counts(t, true)).toMatchObject({ promotion_events: 2, incidents: 1, gate_windows: 2 });
  });

  it('errors the stream when the store fails', async () => {
    const t = await store();
    const w = new StoreWriter(t, { flushIntervalMs: 0, database: 'no_such_db' });
    const err = await lastValueFrom(from(oneOfEachKind()).pipe(storeSink(w))).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no_such_db\.\w+ failed after 1 attempt/);
  });

  it('formats query results as a table or as JSON lines', async () => {
    const t = await store();
    await writeAll(t);
    const q = await runQuery(t, 'SELECT gate, passed, duration_p50_ms FROM driftwatch.gate_windows ORDER BY gate;');
    expect(q.rows).toEqual([
      { gate: 'perf', passed: 2, duration_p50_ms: null },
      { gate: 'smoke', passed: 1, duration_p50_ms: 1500 },
    ]);
    expect(q.text).toBe(
      ['┌─gate──┬─passed─┬─duration_p50_ms─┐', '│ perf  │      2 │            NULL │', '│ smoke │      1 │            1500 │', '└───────┴────────┴─────────────────┘', '2 rows'].join('\n'),
    );
    const j = await runQuery(t, 'SELECT 1 AS a', { format: 'jsonl' });
    expect(j.text).toBe('{"a":1}');
    await expect(runQuery(t, 'SELECT nope FROM driftwatch.gate_windows')).rejects.toMatchObject({ code: 'DW_STORE_FAILED', canRetry: false });
  });
});
