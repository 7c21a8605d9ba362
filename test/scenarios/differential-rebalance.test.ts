/**
 * Differential property of live mode's rebalances (README: "State in a
 * compacted changelog", "Known limits"). The generated events of
 * differential-order.test.ts, out of order within the lateness bound and
 * with duplicates, read by a consumer group of 2 or 3 live engines over 6
 * partitions per input (test/helpers/rebalance-run.ts: the engines' own
 * commit and restore code, an in-memory changelog), with a partition moved
 * between members at 12 seeded points — every member committing, then
 * restored for its new assignment and reading again from the committed
 * offsets, each with its own event-time frontier — must give, over the union
 * of the members' outputs, what one replay of the sorted events gives:
 *
 *   - the same final incidents;
 *   - the same per-key alerts (drift_detected, rollback_failed,
 *     hydration_nondeterminism, snapshot_not_verified) as the members'
 *     committed transactions produced them (their outbox), each fingerprint's
 *     events in the same order, compared by content without `emittedAt`
 *     (its wall clock), and with the same `alertId`s (derived from the
 *     emission, alert-id.ts: the new owner of a key, or a member doing the
 *     work since its last commit again, decides the same ids);
 *   - the same FINAL rows of every per-key table: raw history, drift windows,
 *     promotion outcomes, incidents, audit, and the alerts table's rows of
 *     those rules (without emitted_at);
 *   - for the env-level tables (env, promotion and gate windows), the
 *     counts summed over the members' rows of a window (`instance_id`), as
 *     every reader does (sql/migrations/0011 and 0014), equal to the
 *     reference's.
 *
 * The same with rebalances that catch the members between two commits, as
 * they do in live mode (a commit in flight is abandoned), or right after a
 * commit the broker refused: the work since each member's last commit is
 * done again, its alerts never produced, and its env-level rows never stored
 * (held until their commit has committed, engine/live/held-share-rows.ts and
 * committed-share-rows.ts) — so the env-level sums are compared there too;
 * the per-key rows of undone work are stored, and written again alike. And
 * with each member crashing right after its commit, before the store has the
 * commit's env-level rows: its restore stores them from the changelog.
 *
 * The per-env rules' alerts (rate rules, mttr_breach) are not the replay's —
 * each instance judges its share there (README, Known limits) — but the
 * store must be handed those the members published, and no other: none of
 * work a rebalance undid (held like the env-level rows). A restore hands the
 * rows of the instance's last commit to the store again: the same rows, which
 * the tables' sorting keys collapse.
 * Their thresholds are lowered for this (eagerPerEnvRules), so they fire.
 *
 * Left out, as each instance judges its share there: the gate windows'
 * duration quantiles, and the MTTR snapshots (per instance, at its own
 * as_of times; MTTR over the incidents, which are compared, is exact). The
 * duplicates keep within the per-key recent ids (DRIFTWATCH_DEDUP_IDS_PER_KEY
 * raised for the test): one older than those, coming after a rebalance, is
 * processed again, as documented. A partition moves only from the member
 * furthest on in event time (rebalance-run.ts), so none of its records is
 * late at its new owner, the other documented deviation.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/env-config.js';
import type { Fact } from '../../processors/facts.js';
import type { Row } from '../../store/row-mappers.js';
import { alertsOf, firstFiringsOf, incidentsOf, logicalStore, runLines } from '../helpers/differential-run.js';
import { outOfOrder, sortedEvents, withGarbage, withLateEvents } from '../helpers/differential-input.js';
import { runRebalanced, type RebalanceOptions, type RebalanceResult } from '../helpers/rebalance-run.js';
import { RowMapper } from '../../store/row-mappers.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import type { AlertsConfig } from '../../config/alert-rules.js';
import { MINUTE } from '../../lib/time.js';
import type { AlertEvent } from '../../schemas/alert-event.js';

/** The alert events the members' committed transactions produced (the outbox as the alerts topic has it), in commit order. */
function producedAlerts(run: RebalanceResult, topic: string): AlertEvent[] {
  return (run.published.get(topic) ?? []).map((m) => JSON.parse(String(m.value)) as AlertEvent);
}

const PER_KEY_RULES = new Set(['drift_detected', 'rollback_failed', 'hydration_nondeterminism', 'snapshot_not_verified']);
/** Env-level tables: the key without instance_id, and the columns that add up over instances. */
const SHARES: Record<string, { key: string[]; sum: string[] }> = {
  env_windows: { key: ['env', 'window_start'], sum: ['observations', 'divergent_observations', 'hydrations', 'hydration_errors', 'index_ops', 'index_errors', 'late_events'] },
  gate_windows: { key: ['env', 'gate', 'window_start'], sum: ['passed', 'failed'] },
  promotion_windows: {
    key: ['env', 'window_start'],
    sum: ['started', 'succeeded', 'failed', 'rolled_back', 'rolled_back_after_success', 'promotions_ended', 'duration_count', 'duration_sum_ms', 'snapshots_verified', 'snapshots_unverified'],
  },
};

/** Per-key alerts by content (without `alertId`, compared apart, and wall-clock `emittedAt`), each fingerprint's in emission order. */
function perKeyAlerts(all: readonly AlertEvent[]) {
  const alerts = all.filter((a) => PER_KEY_RULES.has(a.rule));
  return alerts.map(({ alertId: _, emittedAt: __, ...rest }) => rest).sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
}

/** The summed counts of each window of an env-level table (windows that counted nothing left out). */
function summed(rows: readonly Row[], { key, sum }: { key: string[]; sum: string[] }): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const k = JSON.stringify(key.map((c) => row[c]));
    const acc = (out[k] ??= Object.fromEntries(sum.map((c) => [c, 0])));
    for (const c of sum) acc[c]! += Number(row[c] ?? 0);
  }
  for (const [k, acc] of Object.entries(out)) if (Object.values(acc).every((v) => v === 0)) delete out[k];
  return out;
}

/**
 * What is compared of a logical store: per-key tables whole, per-key alert rows without emitted_at, env-level tables
 * summed. `undone`: rebalances undid uncommitted work, whose per-key rows stay stored — promotion_outcomes' `version`
 * is left out: an outcome decided again at the same instant is written again one version up by the member's row
 * mapper (store/row-mappers.ts), the same row otherwise.
 */
function comparable(store: Record<string, Row[]>, undone = false) {
  const out: Record<string, unknown> = {};
  for (const [table, rows] of Object.entries(store)) {
    if (table === 'mttr_snapshots') continue;
    if (undone && table === 'promotion_outcomes') out[table] = rows.map(({ version: _, ...rest }) => rest);
    else if (table === 'alerts') out[table] = rows.filter((r) => PER_KEY_RULES.has(String(r.rule))).map(({ emitted_at: _, ...rest }) => rest);
    else if (SHARES[table]) out[table] = summed(rows, SHARES[table]);
    else out[table] = rows;
  }
  return out;
}

/**
 * The default alerts.yaml with per-env rules that fire on the generated input (the defaults' sample minimums and
 * thresholds are seldom reached there); per-key rules as they are, so the replay's per-key alerts still apply.
 */
function eagerPerEnvRules(): AlertsConfig {
  const alerts = defaultAlertsConfig();
  Object.assign(alerts.rules.promotion_duration_high, { threshold: 2 * MINUTE, minSamples: 1 });
  Object.assign(alerts.rules.index_error_rate_high, { threshold: 0.01, minSamples: 5 });
  Object.assign(alerts.rules.gate_failure_rate_high, { threshold: 0.01, minSamples: 5 });
  Object.assign(alerts.rules.promotion_success_rate_low, { threshold: 0.99, minSamples: 2 });
  Object.assign(alerts.rules.mttr_breach, { threshold: 5 * MINUTE });
  return alerts;
}

describe('a consumer group with rebalances gives the outputs of one replay of the sorted input (seeded)', () => {
  const config = loadConfig({ DRIFTWATCH_DEDUP_IDS_PER_KEY: '256' });
  it.each<{ seed: number; roundMs: number; members: number; beforeRebalance: NonNullable<RebalanceOptions['beforeRebalance']> }>([
    { seed: 1, roundMs: 1, members: 2, beforeRebalance: 'commit' },
    { seed: 2, roundMs: 1, members: 3, beforeRebalance: 'commit' },
    { seed: 3, roundMs: 5000, members: 3, beforeRebalance: 'commit' },
    { seed: 4, roundMs: 1, members: 2, beforeRebalance: 'nothing' },
    { seed: 5, roundMs: 1, members: 3, beforeRebalance: 'nothing' },
    { seed: 14, roundMs: 1, members: 3, beforeRebalance: 'refused commit' },
    { seed: 5, roundMs: 1, members: 3, beforeRebalance: 'refused commit' },
    { seed: 8, roundMs: 1, members: 3, beforeRebalance: 'commit, then crash' },
  ])('seed $seed, event times rounded to $roundMs ms, $members members, before each rebalance: $beforeRebalance', async ({ seed, roundMs, members, beforeRebalance }) => {
    const commitBeforeRebalance = beforeRebalance === 'commit' || beforeRebalance === 'commit, then crash';
    const events = sortedEvents(seed, roundMs);
    const sorted = await runLines(events.map((e) => e.value));
    const messy = outOfOrder(events, seed);
    const run = await runRebalanced(messy.lines, { members, partitions: 3, rebalances: 12, seed, config, beforeRebalance, alerts: eagerPerEnvRules() });

    // Worth comparing: partitions moved, records read again, per-key alerts of every rule, windows shared.
    expect(run.moves).toHaveLength(12);
    expect(run.counters.records).toBeGreaterThan(messy.lines.length);
    if (!commitBeforeRebalance) expect(run.undone).toBeGreaterThan(1000);
    expect(run.counters).toMatchObject({ events: events.length, duplicates: messy.duplicates, late: 0, deadLetters: 0 });
    const expectedAlerts = perKeyAlerts(alertsOf(sorted.facts));
    expect(new Set(expectedAlerts.map((a) => a.rule))).toEqual(PER_KEY_RULES);
    const got = logicalStore(run.stored, run.storedBy);
    expect(new Set(got.env_windows!.map((r) => r.instance_id)).size).toBe(members);

    expect(incidentsOf(run.facts)).toEqual(incidentsOf(sorted.facts));
    // Alerts as produced — what the committed transactions carried to the alerts topic, not those of work a
    // rebalance undid before its commit (done again after it) — each emission once. Which facts those are
    // (`unpublished`, used for the per-env rows below) is the harness's account of it: the outbox agrees.
    const produced = producedAlerts(run, config.kafka.topics.alerts);
    expect(produced.map((a) => JSON.stringify(a)).sort()).toEqual(alertsOf(run.facts.filter((f) => !run.unpublished.has(f))).map((a) => JSON.stringify(a)).sort());
    expect(perKeyAlerts(produced)).toEqual(expectedAlerts);
    // Ids: the replay's derived ones (alert-id.ts), whatever member decided the emission.
    const ids = (alerts: readonly AlertEvent[]) => alerts.filter((a) => PER_KEY_RULES.has(a.rule)).map((a) => `${a.fingerprint} ${a.status} L${a.escalationLevel} ${a.alertId}`).sort();
    expect(ids(produced)).toEqual(ids(alertsOf(sorted.facts)));
    // First firings (dw-first-firing, what the detection-delay metric observes): once per instance, on the emission
    // the replay marks — not again where a new owner or a redo restored the instance firing.
    const perKeyIds = new Set(produced.filter((a) => PER_KEY_RULES.has(a.rule)).map((a) => a.alertId));
    const firstFirings = (run.published.get(config.kafka.topics.alerts) ?? []).filter((m) => String(m.headers?.['dw-first-firing']) === 'true');
    expect(firstFirings.map((m) => (JSON.parse(String(m.value)) as AlertEvent).alertId).filter((id) => perKeyIds.has(id)).sort()).toEqual(
      firstFiringsOf(sorted.facts.filter((f) => f.kind === 'alert' && PER_KEY_RULES.has(f.alert.rule))).sort(),
    );
    expect(comparable(got, !commitBeforeRebalance)).toEqual(comparable(logicalStore(sorted.facts), !commitBeforeRebalance));
    // Per-env alerts: the store was handed those published and no other (by content: a restore hands the last
    // commit's rows again, as they were).
    const perEnv = (f: Fact) => f.kind === 'alert' && !PER_KEY_RULES.has(f.alert.rule);
    const published = run.facts.filter((f) => perEnv(f) && !run.unpublished.has(f));
    expect(published.length).toBeGreaterThan(0);
    if (!commitBeforeRebalance) expect([...run.unpublished].some(perEnv)).toBe(true);
    // Without instance_id: the member whose share emitted it stamps it (0015), which a fact does not say.
    const content = ({ instance_id: _, ...row }: Row) => JSON.stringify(row);
    const rowOf = (f: Fact) => content(new RowMapper().rows(f)[0]!.row);
    const storedAlerts = run.stored.map((s) => ('kind' in s ? (perEnv(s) ? rowOf(s) : null) : s.table === 'alerts' && !PER_KEY_RULES.has(String(s.row.rule)) ? content(s.row) : null));
    expect(new Set(storedAlerts.filter((r) => r !== null))).toEqual(new Set(published.map(rowOf)));
  });
});

/**
 * Late events (SPEC §4.7) under rebalances. What is late, and the frontier it
 * is judged at, depend on arrival order and on each member's frontier by
 * definition (README, Known limits), so no single replay is the reference
 * here; what must hold whatever they are: each event reaches raw history, and
 * each one the committed work took as late is counted once and has exactly one
 * `event.late` audit record — the work a rebalance undid took some as late
 * too, at a frontier the redo need not meet (or took them in order), and
 * their records are held until the commit that covers them commits
 * (held-share-rows.ts), so none of theirs is stored. The per-key alerts
 * produced are each emission once: no alertId twice. And each unreadable
 * record among them is dead-lettered once — counted once, on the DLQ once
 * (the outbox of a committed transaction) — though undone work dead-lettered
 * some too, and records above a partition's committed offset that were done
 * are skipped when read again (offset-tracker.ts).
 */
describe('a consumer group with rebalances, on input with late events and unreadable records, audits each late event and dead-letters each record once (seeded)', () => {
  const config = loadConfig({ DRIFTWATCH_DEDUP_IDS_PER_KEY: '256' });
  it.each<{ seed: number; beforeRebalance: NonNullable<RebalanceOptions['beforeRebalance']> }>([
    { seed: 6, beforeRebalance: 'nothing' },
    { seed: 7, beforeRebalance: 'refused commit' },
  ])('seed $seed, 3 members, before each rebalance: $beforeRebalance', async ({ seed, beforeRebalance }) => {
    const events = sortedEvents(seed);
    const messy = outOfOrder(events, seed);
    const garbage = withGarbage(withLateEvents(messy.lines, seed, 0.05).lines, seed);
    const lines = garbage.lines;
    const run = await runRebalanced(lines, { members: 3, partitions: 3, rebalances: 12, seed, config, beforeRebalance });

    const late = (facts: Iterable<Fact>) => [...facts].flatMap((f) => (f.kind === 'late' ? [f.envelope.event.eventId] : []));
    const committedLate = late(run.facts.filter((f) => !run.undoneFacts.has(f)));
    // Worth checking: late events in committed work, and in undone work (whose records must not be stored).
    // (`events` counts those taken in order, `late` the others.)
    expect(run.counters).toMatchObject({ events: events.length + 3 - committedLate.length, duplicates: messy.duplicates, deadLetters: garbage.at.length, late: committedLate.length });
    expect(committedLate.length).toBeGreaterThan(10);
    expect(late(run.undoneFacts).length).toBeGreaterThan(0);
    expect(new Set(committedLate).size).toBe(committedLate.length);

    const got = logicalStore(run.stored, run.storedBy);
    expect(got.promotion_events!.length + got.hydration_events!.length + got.index_events!.length).toBe(events.length + 3);
    const audited = got.audit_log!.filter((r) => r.action === 'event.late').map((r) => String(r.subject_id));
    expect(audited.sort()).toEqual([...committedLate].sort());

    const produced = producedAlerts(run, config.kafka.topics.alerts).filter((a) => PER_KEY_RULES.has(a.rule));
    expect(produced.length).toBeGreaterThan(10);
    expect(new Set(produced.map((a) => a.alertId)).size).toBe(produced.length);

    const dlq = run.published.get(config.kafka.topics.dlq) ?? [];
    expect(dlq.map((m) => String(m.value)).sort()).toEqual(garbage.at.map((line) => lines[line - 1]!).sort());
    expect(new Set(dlq.map((m) => JSON.stringify(m.headers))).size).toBe(dlq.length); // by source topic, partition, offset: none twice
  });
});
