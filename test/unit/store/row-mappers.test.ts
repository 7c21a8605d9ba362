import { describe, expect, it } from 'vitest';
import { RowMapper, deadLetterRow, metricRow } from '../../../store/row-mappers.js';
import { alert, hydration, incident, lateIndex, oneOfEachKind, promotionGate, promotionStarted, T0, MIN } from './fixtures.js';

describe('RowMapper', () => {
  it('maps each stored kind to its table and skips advance/observation', () => {
    const rows = oneOfEachKind().flatMap((f) => new RowMapper().rows(f).map((r) => r.table));
    expect(rows).toEqual([
      'promotion_events', 'promotion_events', 'hydration_events', 'index_events', 'incidents', 'alerts', 'audit_log',
      'drift_windows', 'env_windows', 'promotion_windows', 'gate_windows', 'gate_windows', 'mttr_snapshots', 'mttr_snapshots', 'incidents',
    ]);
  });

  it('marks env-level rows (env, promotion and gate windows, MTTR) with the instance id; per-key rows and replays carry none', () => {
    const withId = oneOfEachKind().flatMap((f) => new RowMapper({ instanceId: 'engine-a' }).rows(f));
    const marked = withId.filter((r) => r.row.instance_id !== undefined).map((r) => r.table);
    expect(marked).toEqual(['env_windows', 'promotion_windows', 'gate_windows', 'gate_windows', 'mttr_snapshots', 'mttr_snapshots']);
    expect(new Set(withId.filter((r) => marked.includes(r.table)).map((r) => r.row.instance_id))).toEqual(new Set(['engine-a']));
    for (const instanceId of [undefined, '']) {
      const rows = oneOfEachKind().flatMap((f) => new RowMapper({ instanceId }).rows(f));
      expect(rows.filter((r) => 'instance_id' in r.row && r.row.instance_id !== undefined)).toEqual([]);
    }
  });

  it('writes typed event columns, leaves absent optionals out, and records the source position', () => {
    const [p] = new RowMapper().rows(promotionStarted(T0));
    expect(p!.row).toMatchObject({ event_id: 'p-1-started', occurred_at: T0, phase: 'started', digest: 'sha256:aaa', from_env: 'staging', actor: 'alice', late: 0, source_line: 1 });
    const [g] = new RowMapper().rows(promotionGate(T0));
    expect(g!.row).toMatchObject({ gate_name: 'smoke', gate_result: 'failed', gate_duration_ms: 1500 });
    const [h] = new RowMapper().rows(hydration(T0));
    expect(h!.row).toMatchObject({ source_topic: 'driftwatch.hydration.v1', source_partition: 2, source_offset: 1234 });
    const [l] = new RowMapper().rows(lateIndex(T0 - MIN, T0));
    expect(l!.table).toBe('index_events');
    expect(l!.row).toMatchObject({ occurred_at: T0 - MIN, late: 1, status: 'error', shard: 's3' });
    expect(JSON.parse(JSON.stringify(p!.row))).not.toHaveProperty('gate_name');
  });

  it('gives incident changes growing versions, breaking same-instant ties in arrival order', () => {
    const m = new RowMapper();
    const v = (change: 'opened' | 'updated' | 'resolved', at: number) =>
      m.rows({ kind: 'incident', at, change, incident: incident() })[0]!.row.version as number;
    const opened = v('opened', T0);
    const u1 = v('updated', T0 + 1);
    const u2 = v('updated', T0 + 1);
    const resolved = v('resolved', T0 + 1);
    expect(opened).toBe(T0 * 4);
    expect(u1).toBe((T0 + 1) * 4 + 1);
    expect(u2).toBe(u1 + 1);
    expect(resolved).toBe(u2 + 1);
    // A fresh mapper (a replay) derives the same versions for the same changes.
    expect(new RowMapper().rows({ kind: 'incident', at: T0, change: 'opened', incident: incident() })[0]!.row.version).toBe(opened);
  });

  it('versions promotion outcomes in the order the engine decided them (its fact time), not by their event time', () => {
    const m = new RowMapper();
    const v = (at: number, decidedAt: number, promotionId = 'pL', rolledBackAt?: number) =>
      m.rows({ kind: 'promotion-outcome', at, outcome: { env: 'prod', artifact: 'pay', promotionId, firstEndedAt: T0, outcome: 'succeeded', decidedAt, rolledBackAt } })[0]!.row
        .version as number;
    const rollback = v(T0 + 2 * MIN, T0 + 2 * MIN, 'pL', T0 + 2 * MIN);
    // A success learnt late, at the frontier (T0 + 3 min), after that rollback: decided later, though it occurred earlier.
    const lateSuccess = v(T0 + 3 * MIN, T0 + MIN);
    expect(rollback).toBe((T0 + 2 * MIN) * 1024);
    expect(lateSuccess).toBe((T0 + 3 * MIN) * 1024);
    // Two outcomes of one promotion decided at one instant: the later one wins; another promotion's are apart.
    const tied = v(T0 + 3 * MIN, T0 + 3 * MIN, 'pL', T0 + 3 * MIN);
    expect(tied).toBe(lateSuccess + 1);
    expect(v(T0 + 3 * MIN, T0 + 3 * MIN, 'pM')).toBe((T0 + 3 * MIN) * 1024);
    // A fresh mapper (a replay) derives the same versions.
    expect(new RowMapper().rows({ kind: 'promotion-outcome', at: T0 + 2 * MIN, outcome: { env: 'prod', artifact: 'pay', promotionId: 'pL', firstEndedAt: T0, outcome: 'succeeded', decidedAt: T0 } })[0]!.row.version).toBe(rollback);
  });

  it('keeps promotion outcome versions apart when many outcomes of one promotion are decided in one ms (late events at one frontier)', () => {
    const m = new RowMapper();
    const v = (at: number) =>
      m.rows({ kind: 'promotion-outcome', at, outcome: { env: 'prod', artifact: 'pay', promotionId: 'pL', firstEndedAt: T0, outcome: 'succeeded', decidedAt: T0 } })[0]!.row.version as number;
    const sameMs = Array.from({ length: 8 }, () => v(T0 + MIN));
    const next = v(T0 + MIN + 1);
    expect([...sameMs, next]).toEqual([...sameMs, next].sort((a, b) => a - b));
    expect(new Set([...sameMs, next]).size).toBe(9);
    // Above every version written with the narrower encodings before (fact time × 4 + order, decided_at × 2 + 1).
    expect(sameMs[0]).toBeGreaterThan((T0 + 24 * 60 * MIN) * 4 + 3);
    expect(Number.isSafeInteger(v(Date.parse('2100-01-01T00:00:00Z')))).toBe(true);
  });

  it('uses the incident own time when the change comes with the end-of-input advance (+Infinity)', () => {
    const [r] = new RowMapper().rows({ kind: 'incident', at: Infinity, change: 'resolved', incident: incident({ resolvedAt: T0 + 5 * MIN }) });
    expect(r!.row).toMatchObject({ changed_at: T0 + 5 * MIN, resolved_at: T0 + 5 * MIN, version: (T0 + 5 * MIN) * 4 + 2 });
  });

  it('turns alert timestamps into epoch ms and keys the alert by event time', () => {
    const [r] = new RowMapper().rows({ kind: 'alert', at: T0 + 30_000, alert: alert(T0 + 30_000, { endsAt: new Date(T0 + MIN).toISOString() }) });
    expect(r!.row).toMatchObject({ starts_at: T0, ends_at: T0 + MIN, emitted_at: T0 + 30_005, event_time: T0 + 30_000, env: 'prod', artifact: 'catalog' });
  });
});

describe('deadLetterRow / metricRow', () => {
  it('keeps UTF-8 text as is and other bytes as base64', () => {
    expect(deadLetterRow({ reason: 'bad json', raw: '{nope', source: { line: 3 } })).toMatchObject({ raw: '{nope', raw_encoding: 'utf8', source_line: 3 });
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    expect(deadLetterRow({ reason: 'not avro', raw: bytes, key: Buffer.from('prod/x'), headers: { a: 'b' } })).toMatchObject({
      raw: bytes.toString('base64'),
      raw_encoding: 'base64',
      record_key: 'prod/x',
      headers: { a: 'b' },
    });
  });

  it('sorts metric label keys so a series always has the same labels map', () => {
    expect(JSON.stringify(metricRow('lag', 3, { z: '1', a: '2' }, 10))).toBe('{"at":10,"name":"lag","labels":{"a":"2","z":"1"},"value":3}');
  });
});
