/**
 * What one promotion window accumulates for one env (SPEC §5) — lifecycle
 * counts, durations, snapshot verification, per-gate runs and the success
 * changes of promotions counted in earlier windows — and its plain JSON form
 * for the processor's whole-state snapshot, including how snapshots written
 * before some counts existed are read. What the counts mean is decided in
 * promotion-windows.ts and promotion-event-counter.ts.
 */
import { windowStart } from '../lib/time.js';
import type { PromotionEvent } from '../schemas/input-events.js';
import type { PromotionWindowRow } from './facts.js';

export interface GateAcc {
  passed: number;
  failed: number;
  durations: number[];
}

/** The row's counts as they accumulate (their meaning is documented on PromotionWindowRow), plus what the row summarises. */
export type EnvWindow = Pick<
  PromotionWindowRow,
  'started' | 'succeeded' | 'failed' | 'rolledBack' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'endedSucceeded' | 'snapshotsVerified' | 'snapshotsUnverified'
> & {
  /** Changes of the success of promotions counted in earlier windows (or this one), by their windowEnd (PromotionWindowRow.successChanges). */
  successChanges: Map<number, number>;
  durations: number[];
  gates: Map<string, GateAcc>;
};

/**
 * `rolledBackAfterSuccess` and `promotionsEnded` are absent in snapshots from
 * before they were counted: restored as 0 and as what the window's counts
 * meant then (succeeded + failed + rolledBack − rolledBackAfterSuccess).
 * `successChanges` ([windowEnd, delta]) is absent in snapshots from before
 * retries changed outcomes: those hold `successesTakenBack` ([windowEnd,
 * count], successes taken back by rollbacks, i.e. −count), or, older still,
 * neither: their rollbacks are then taken back in their own window, as they
 * were counted then. `endedSucceeded` is absent before retries ended once:
 * `succeeded` was what the rule counted then.
 */
export type EnvWindowSnapshot = Omit<EnvWindow, 'gates' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'endedSucceeded' | 'successChanges'> & {
  rolledBackAfterSuccess?: number;
  promotionsEnded?: number;
  endedSucceeded?: number;
  successChanges?: Array<[windowEnd: number, delta: number]>;
  successesTakenBack?: Array<[windowEnd: number, count: number]>;
  gates: Array<[gate: string, acc: GateAcc]>;
};

export function emptyEnvWindow(): EnvWindow {
  return {
    started: 0,
    succeeded: 0,
    failed: 0,
    rolledBack: 0,
    rolledBackAfterSuccess: 0,
    promotionsEnded: 0,
    endedSucceeded: 0,
    successChanges: new Map(),
    durations: [],
    snapshotsVerified: 0,
    snapshotsUnverified: 0,
    gates: new Map(),
  };
}

/** Counts one run of a gate (a retried gate counts again). */
export function countGate(w: EnvWindow, gate: NonNullable<PromotionEvent['gate']>): void {
  let g = w.gates.get(gate.name);
  if (!g) {
    g = { passed: 0, failed: 0, durations: [] };
    w.gates.set(gate.name, g);
  }
  if (gate.result === 'passed') g.passed++;
  else g.failed++;
  g.durations.push(gate.durationMs);
}

/** Records in `w` a change of the success of a promotion counted in the window of `firstEndedAt` (see successChanges). */
export function changeSuccess(w: EnvWindow, firstEndedAt: number, delta: number, windowMs: number): void {
  addSuccessChange(w, windowStart(firstEndedAt, windowMs) + windowMs, delta);
}

function addSuccessChange(w: EnvWindow, end: number, delta: number): void {
  const changed = (w.successChanges.get(end) ?? 0) + delta;
  if (changed === 0) w.successChanges.delete(end);
  else w.successChanges.set(end, changed);
}

export function envWindowSnapshot(w: EnvWindow): EnvWindowSnapshot {
  return {
    ...w,
    successChanges: [...w.successChanges],
    durations: [...w.durations],
    gates: [...w.gates].map(([gate, g]) => [gate, { ...g, durations: [...g.durations] }]),
  };
}

/** The window (ending at `windowEnd`) a snapshot holds, old snapshots' absent counts filled in as EnvWindowSnapshot says. */
export function envWindowFromSnapshot(w: EnvWindowSnapshot, windowEnd: number): EnvWindow {
  const rolledBackAfterSuccess = w.rolledBackAfterSuccess ?? 0;
  const promotionsEnded = w.promotionsEnded ?? w.succeeded + w.failed + w.rolledBack - rolledBackAfterSuccess;
  const successChanges = new Map(
    w.successChanges ??
      w.successesTakenBack?.map(([end, count]): [number, number] => [end, -count]) ??
      (rolledBackAfterSuccess > 0 ? [[windowEnd, -rolledBackAfterSuccess]] : []),
  );
  const { successesTakenBack: _legacy, ...counts } = w;
  return {
    ...counts,
    rolledBackAfterSuccess,
    promotionsEnded,
    endedSucceeded: w.endedSucceeded ?? w.succeeded,
    successChanges,
    durations: [...w.durations],
    gates: new Map(w.gates.map(([gate, g]) => [gate, { ...g, durations: [...g.durations] }])),
  };
}

/** Counts in `w` the difference `after` − `before` of what one promotion's events gave (a late one put in its place, promotion-window-logs.ts). */
export function addDifference(w: EnvWindow, before: EnvWindow, after: EnvWindow): void {
  for (const count of ['started', 'succeeded', 'failed', 'rolledBack', 'rolledBackAfterSuccess', 'promotionsEnded', 'endedSucceeded'] as const) {
    w[count] += after[count] - before[count];
  }
  for (const [end, delta] of before.successChanges) addSuccessChange(w, end, -delta);
  for (const [end, delta] of after.successChanges) addSuccessChange(w, end, delta);
  for (const d of before.durations) {
    // Always found: the logged events were counted in this window by this process (logs are not restored).
    const i = w.durations.indexOf(d);
    if (i >= 0) w.durations.splice(i, 1);
  }
  w.durations.push(...after.durations);
}
