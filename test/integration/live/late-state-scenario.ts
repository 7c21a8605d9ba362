/**
 * A live-mode scenario whose late events are late by construction, so live
 * mode can be held to `replay` of the same records for the event-time rules
 * that carry state across a restart: late events of a still-open window
 * (index ops, a hydration conflict, a promotion gate and terminal), a late
 * unverified snapshot and older late verified ones, a determinism window
 * with only errors, a rollback into an old drift.
 *
 * Why phases. In live mode whether an event is late depends on the frontier
 * when it is consumed: the minimum over every owned input partition (three
 * topics × partitions) of newest event time − 2 × allowed lateness. One
 * batch of records over several topics is fetched in no fixed order, so a
 * deliberately late line could be released in order (the live-vs-replay
 * fixtures leave theirs out for that reason). Here:
 * - a *clock* phase ends with a clock record at time C on every input
 *   partition (after the phase's scenario records on it, which are in order
 *   and no later than C): once it is consumed the frontier is exactly
 *   C − 2L, as replay's (newest line − 2L), whatever the fetch order;
 * - a *late* phase, produced once the engine's event time has reached its
 *   clock, holds only events no later than C: no partition's newest time
 *   moves, so each of them is judged at that same frontier in both modes;
 * - the idle timeout is long (DRIFTWATCH_IDLE_TIMEOUT below): no partition
 *   goes idle between phases, so event time never moves at wall-clock speed.
 */
import { artifactOnPartition } from '../../../topics/key-partition.js';
import type { InputRecord, InputType } from './scenario-records.js';

/** Allowed lateness of the deployment (the default): frontier = clock − 2 × this. */
export const LATENESS_MS = 30_000;

/** Engines of this scenario: no partition is left out of the watermark between phases (see above). */
export const lateStateEnv = { DRIFTWATCH_ALLOWED_LATENESS: '30s', DRIFTWATCH_IDLE_TIMEOUT: '300s' };

export const at = (hms: string): string => `2026-11-27T${hms}Z`;

/**
 * `barrier`: one late unverified snapshot of a key of its own, produced once
 * everything before it has been judged. Its alert on the alert topic
 * (read_committed) proves a commit covering all of that — state, offsets,
 * outputs — since commits snapshot the engine between batches, in order. A
 * kill before such a commit would have the restarted engine read the records
 * again and judge them anew, at a frontier that depends on fetch order again.
 */
export type Phase =
  | { kind: 'clock'; name: string; clock: string; records: InputRecord[] }
  | { kind: 'late'; name: string; records: InputRecord[] }
  | { kind: 'barrier'; name: string; artifact: string; records: [InputRecord] };

const rec = (event: Record<string, unknown>): InputRecord => ({
  value: JSON.stringify(event),
  key: `${String(event.env)}/${String(event.artifact)}`,
  type: event.type as InputType,
});

const index = (eventId: string, env: string, artifact: string, t: string, instance: string, servedDigest: string, status: 'ok' | 'error' = 'ok') =>
  rec({ type: 'index', eventId, occurredAt: at(t), env, artifact, op: 'read', instance, servedDigest, latencyMs: 10, status });

const hydration = (eventId: string, env: string, artifact: string, t: string, ruleId: string, instance: string, outputDigest: string, status: 'ok' | 'error' = 'ok', input = 'in1') =>
  rec({
    type: 'hydration',
    eventId,
    occurredAt: at(t),
    env,
    artifact,
    ruleId,
    instance,
    inputDigest: `sha256:${input}`,
    outputDigest,
    durationMs: 100,
    status,
    ...(status === 'error' ? { error: 'timeout' } : {}),
  });

const promotion = (eventId: string, env: string, artifact: string, t: string, promotionId: string, phase: string, extra: Record<string, unknown> = {}) =>
  rec({ type: 'promotion', eventId, occurredAt: at(t), env, artifact, promotionId, phase, ...extra });

const snapshot = (eventId: string, t: string, snapshotId: string, verified: boolean, artifact = 'snap') =>
  promotion(eventId, 'stage', artifact, t, 'ps1', 'snapshot', { snapshot: { snapshotId, verified } });

/** A commit barrier (see Phase) at `t`, late by construction. */
const barrier = (n: number, t: string): Phase => ({
  kind: 'barrier',
  name: `commit barrier ${n}`,
  artifact: `barrier-${n}`,
  records: [snapshot(`barrier-${n}`, t, `barrier-${n}`, false, `barrier-${n}`)],
});

/**
 * One clock record per input partition of every topic, at `occurredAt`:
 * unmanaged keys `tick/p<n>…` (keyed for their partition) with nothing to judge (an ok read, a hydration of
 * an input of its own, a verified snapshot). At the time of the test they are
 * the final ticks: never released in live mode, so held back from commits.
 */
export function clockRecords(partitions: number, occurredAt: string): InputRecord[] {
  const out: InputRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    const base = { eventId: `clock-${occurredAt}-p${p}`, occurredAt, env: 'tick', artifact: artifactOnPartition('tick', `p${p}`, p, partitions) };
    const key = `tick/${base.artifact}`;
    out.push({ key, partition: p, type: 'index', value: JSON.stringify({ type: 'index', ...base, eventId: `${base.eventId}-i`, op: 'read', instance: 'tick', servedDigest: 'sha256:tick', latencyMs: 1, status: 'ok' }) });
    out.push({
      key,
      partition: p,
      type: 'hydration',
      value: JSON.stringify({ type: 'hydration', ...base, eventId: `${base.eventId}-h`, ruleId: 'tick', instance: 'tick', inputDigest: `sha256:${occurredAt}`, outputDigest: 'sha256:tick', durationMs: 1, status: 'ok' }),
    });
    out.push({
      key,
      partition: p,
      type: 'promotion',
      value: JSON.stringify({ type: 'promotion', ...base, eventId: `${base.eventId}-p`, promotionId: 'tick', phase: 'snapshot', snapshot: { snapshotId: 'tick', verified: true } }),
    });
  }
  return out;
}

/** Sorted by event time (each list is in order already; ties keep list order). */
function inOrder(...lists: InputRecord[][]): InputRecord[] {
  const time = (r: InputRecord) => Date.parse(String((JSON.parse(r.value) as { occurredAt: string }).occurredAt));
  return lists.flat().sort((a, b) => time(a) - time(b));
}

/**
 * The phases, worked out by hand (L = 30 s, so frontier = clock − 60 s; windows of 5 min):
 *
 * 1. clock 10:04:00 → frontier 10:03:00, inside window [10:00, 10:05).
 * 2. late (frontier 10:03:00, its window open): ix/search an error op, a hydration and a new instance's ok op
 *    (the drift window goes from 1 error in 20 ops to 2 in 22: index_error_rate_high when it closes at 10:05);
 *    dev/det rule L in1 → o2 against 10:00's o1 (a determinism incident from 10:03:00); pr/shop its promotion's
 *    failed gate and its `failed` end (promotion window [10:00, 10:05): 1 started, 1 failed, a failed gate, a
 *    6-minute duration: promotion_duration_high when it closes).
 * 3. late: stage/snap an unverified snapshot of 10:02:30 (fires from 10:03:00), then a verified one of 10:01:00,
 *    older than the one judged: changes nothing. Then commit barrier 1 (stage/barrier-1 fires from 10:03:00).
 *    — The crash test kills the engine here: the window
 *    [10:00, 10:05) holds late-counted events and snapshot_not_verified fires.
 * 4. clock 10:06:30 → frontier 10:05:30: [10:00, 10:05) closes; dev/det's L fails on in1 at 10:05:10 (no
 *    output for it in [10:05, 10:10)); prod/rb drifts from 10:05.
 * 5. late (frontier 10:05:30): ix/search an error of the closed window (counted as late only) and an ok op of the
 *    open [10:05, 10:10); stage/snap a verified snapshot of 10:02:00, older than 10:02:30's: still firing. Then
 *    commit barrier 2 (stage/barrier-2 from 10:05:30). — The crash test kills the engine again: [10:05, 10:10) holds a late op and L's output-less in1.
 * 6. the rest in order, then the final clock at `now`: L in2 → o7 at 10:08 (in1 still has no output in
 *    [10:05, 10:10): no resolution at 10:10), L consistent in [10:10, 10:15) (resolved 10:15), a verified
 *    snapshot at 10:12 (resolved), prod/rb rolled back at 10:36 into its 31-minute-old drift (rollback_failed
 *    from 10:36), converged at 10:45. The final clock, days later, takes event time past a day after the commit
 *    barriers' unverified snapshots, which nothing verifies: their alerts resolve then (snapshot_not_verified's
 *    window: no other snapshot of the key for 24h).
 */
export function lateStatePhases(partitions: number, now: string): Phase[] {
  const ix = (id: string, t: string, instance: string, status: 'ok' | 'error' = 'ok') => index(`ix-${id}`, 'ix', 'search', t, instance, 'sha256:s1', status);
  const firstOps = Array.from({ length: 18 }, (_, i) => ix(`a${i + 1}`, `10:01:${String(i).padStart(2, '0')}.000`, 'i1'));
  const rb = (id: string, t: string, digest: string) => index(`rb-${id}`, 'prod', 'rb', t, 'r1', digest);
  const det = (id: string, t: string, instance: string, out: string, status: 'ok' | 'error' = 'ok', input = 'in1') =>
    hydration(`det-${id}`, 'dev', 'det', t, 'L', instance, out, status, input);
  const shop = (id: string, t: string, phase: string, extra: Record<string, unknown> = {}) => promotion(`shop-${id}`, 'pr', 'shop', t, 'p1', phase, extra);
  const v1 = { version: 'v1', digest: 'sha256:shop-v1' };
  return [
    {
      kind: 'clock',
      name: 'first clock (frontier 10:03:00)',
      clock: at('10:04:00.000'),
      records: [
        ...inOrder(
          [
            promotion('rb-1', 'prod', 'rb', '09:00:00.000', 'p-rb-d1', 'succeeded', { version: 'v-d1', digest: 'sha256:d1' }),
            promotion('rb-2', 'prod', 'rb', '10:00:00.000', 'p-rb-d2', 'succeeded', { version: 'v-d2', digest: 'sha256:d2' }),
          ],
          [det('1', '10:00:00.000', 'h1', 'o1')],
          [snapshot('snap-1', '10:00:05.000', 'snap-a', true)],
          [shop('1', '09:56:00.000', 'started', v1)],
          [...firstOps, ix('a19', '10:02:00.000', 'i1', 'error'), ix('a20', '10:04:00.000', 'i1')],
        ),
        ...clockRecords(partitions, at('10:04:00.000')),
      ],
    },
    {
      kind: 'late',
      name: 'late events of the open window [10:00, 10:05)',
      records: [
        ix('a21', '10:02:30.000', 'i2', 'error'),
        hydration('ix-a22', 'ix', 'search', '10:02:45.000', 'r1', 'h1', 'o1'),
        ix('a23', '10:02:50.000', 'i3'),
        det('2', '10:02:30.000', 'h2', 'o2'),
        shop('2', '10:01:30.000', 'gate', { gate: { name: 'smoke', result: 'failed', durationMs: 5000 } }),
        shop('3', '10:02:00.000', 'failed', v1),
      ],
    },
    {
      kind: 'late',
      name: 'a late unverified snapshot, then an older late verified one',
      records: [snapshot('snap-2', '10:02:30.000', 'snap-b', false), snapshot('snap-3', '10:01:00.000', 'snap-c', true)],
    },
    barrier(1, '10:02:40.000'),
    {
      kind: 'clock',
      name: 'second clock (frontier 10:05:30)',
      clock: at('10:06:30.000'),
      records: [
        ...inOrder([rb('3', '10:05:00.000', 'sha256:evil')], [det('3', '10:05:10.000', 'h1', 'none', 'error')], [ix('a24', '10:06:30.000', 'i1')]),
        ...clockRecords(partitions, at('10:06:30.000')),
      ],
    },
    {
      kind: 'late',
      name: 'late events after [10:00, 10:05) closed',
      records: [ix('a25', '10:04:59.999', 'i2', 'error'), ix('a26', '10:05:10.000', 'i1'), snapshot('snap-4', '10:02:00.000', 'snap-d', true)],
    },
    barrier(2, '10:05:20.000'),
    {
      kind: 'clock',
      name: 'the rest, then the final clock',
      clock: now,
      records: [
        ...inOrder(
          [
            rb('4', '10:15:00.000', 'sha256:evil'),
            rb('5', '10:25:00.000', 'sha256:evil'),
            rb('6', '10:35:00.000', 'sha256:evil'),
            promotion('rb-7', 'prod', 'rb', '10:36:00.000', 'p-rb', 'rolled_back', { rollbackTo: { version: 'v-d1', digest: 'sha256:d1' } }),
            rb('8', '10:37:00.000', 'sha256:evil'),
            rb('9', '10:45:00.000', 'sha256:d1'),
          ],
          [det('4', '10:08:00.000', 'h1', 'o7', 'ok', 'in2'), det('5', '10:11:00.000', 'h1', 'o1')],
          [snapshot('snap-5', '10:12:00.000', 'snap-e', true)],
        ),
        ...clockRecords(partitions, now),
      ],
    },
  ];
}
