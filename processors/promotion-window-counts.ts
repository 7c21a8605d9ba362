/**
 * What one promotion window accumulates for one env (SPEC §5) — lifecycle
 * counts, durations, snapshot verification, per-gate runs and the success
 * changes of promotions counted in earlier windows — and its plain JSON form
 * for the processor's whole-state snapshot, including how snapshots written
 * before some counts existed are read. What the counts mean is decided in
 * promotion-windows.ts and promotion-event-counter.ts.
 *
 * Bounded by envs, not by promotions: a window keeps its attempts' durations
 * and each gate's run times as they are up to EXACT_DURATIONS_KEPT of them,
 * and past that in a histogram (lib/bounded-quantiles.ts: counts and sums
 * exact, quantiles within 1 %); the promotions it names for the alert texts
 * are bounded (bounded-examples.ts, promotion-decided-notes.ts). Gates are
 * per name, like the row's gate rows.
 */
import { BoundedQuantiles, type BoundedQuantilesSnapshot } from '../lib/bounded-quantiles.js';
import { windowStart } from '../lib/time.js';
import type { PromotionEvent } from '../schemas/input-events.js';
import type { DecidedPromotion, FailedGateRun, NamedPromotion, PromotionWindowRow, TimedAttempt } from './promotion-facts.js';
import { byText, keepFirst } from './bounded-examples.js';
import { DecidedNotes } from './promotion-decided-notes.js';
import { clipText } from '../lib/visible-text.js';

/**
 * Durations (of one env's attempts, of one gate's runs) a window keeps as
 * they are, for exact quantiles; past that, a histogram. Far above any real
 * window (a few promotions per env every 5 minutes), so ordinary windows are
 * exact, as the rows always were.
 */
export const EXACT_DURATIONS_KEPT = 4096;

/** Characters of a failed or rolled-back promotion's reason kept to name it in an alert (the reason itself is unbounded). */
export const MAX_NAMED_REASON = 200;

export interface GateAcc {
  passed: number;
  failed: number;
  durations: BoundedQuantiles;
  /** The latest failed runs, for the alert text (GateWindowRow.failedRuns). */
  failedRuns: FailedGateRun[];
}

/** The row's counts as they accumulate (their meaning is documented on PromotionWindowRow), plus what the row summarises. */
export type EnvWindow = Pick<
  PromotionWindowRow,
  'started' | 'succeeded' | 'failed' | 'rolledBack' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'endedSucceeded' | 'snapshotsVerified' | 'snapshotsUnverified'
> & {
  /** Changes of the success of promotions counted in earlier windows (or this one), by their windowEnd (PromotionWindowRow.successChanges). */
  successChanges: Map<number, number>;
  durations: BoundedQuantiles;
  gates: Map<string, GateAcc>;
  /**
   * For the alert texts (not stored): what the window's events left each
   * promotion's outcome at, by promotionId, as far as the text can use it
   * (PromotionWindowRow.decided, promotion-decided-notes.ts), and the
   * slowest attempts (bounded).
   */
  decided: DecidedNotes;
  slowest: TimedAttempt[];
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
export type EnvWindowSnapshot = Omit<EnvWindow, 'durations' | 'gates' | 'rolledBackAfterSuccess' | 'promotionsEnded' | 'endedSucceeded' | 'successChanges' | 'decided' | 'slowest'> & {
  /** The durations as they are (empty once `durationsSketch` holds them). */
  durations: number[];
  /** Absent while the durations are kept as they are (EXACT_DURATIONS_KEPT). */
  durationsSketch?: BoundedQuantilesSnapshot;
  rolledBackAfterSuccess?: number;
  promotionsEnded?: number;
  endedSucceeded?: number;
  successChanges?: Array<[windowEnd: number, delta: number]>;
  successesTakenBack?: Array<[windowEnd: number, count: number]>;
  gates: Array<[gate: string, acc: GateAccSnapshot]>;
  /** Absent in snapshots from before the alert texts named promotions: none known (restored empty). */
  decided?: DecidedPromotion[];
  /** Absent when none (DecidedNotes.unlistedRetries). */
  unlistedRetries?: number[];
  slowest?: TimedAttempt[];
};

/** `failedRuns` is absent in snapshots from before the alert texts named them; `durationsSketch` as the window's. */
type GateAccSnapshot = Omit<GateAcc, 'failedRuns' | 'durations'> & { durations: number[]; durationsSketch?: BoundedQuantilesSnapshot; failedRuns?: FailedGateRun[] };

/** The counts of a window ending at `windowEnd`, from nothing. */
export function emptyEnvWindow(windowEnd: number): EnvWindow {
  return {
    started: 0,
    succeeded: 0,
    failed: 0,
    rolledBack: 0,
    rolledBackAfterSuccess: 0,
    promotionsEnded: 0,
    endedSucceeded: 0,
    successChanges: new Map(),
    durations: new BoundedQuantiles(EXACT_DURATIONS_KEPT),
    snapshotsVerified: 0,
    snapshotsUnverified: 0,
    gates: new Map(),
    decided: new DecidedNotes(windowEnd),
    slowest: [],
  };
}

/** Counts one run of a gate (a gate event at `at`; a retried gate counts again). */
export function countGate(w: EnvWindow, event: PromotionEvent, at: number): void {
  const gate = event.gate!;
  let g = w.gates.get(gate.name);
  if (!g) {
    g = { passed: 0, failed: 0, durations: new BoundedQuantiles(EXACT_DURATIONS_KEPT), failedRuns: [] };
    w.gates.set(gate.name, g);
  }
  if (gate.result === 'passed') g.passed++;
  else {
    g.failed++;
    keepFirst(g.failedRuns, { ...named(event), at }, latestRunFirst);
  }
  g.durations.add(gate.durationMs);
}

/** One attempt's duration (`durationMs`, ended at `endedAt`) of the promotion of `event`: counted, and kept if among the slowest. */
export function countDuration(w: EnvWindow, event: PromotionEvent, durationMs: number, endedAt: number): void {
  w.durations.add(durationMs);
  keepFirst(w.slowest, { ...named(event), durationMs, endedAt }, slowestFirst);
}

/**
 * A duration counted for the promotion of `event` (`from`) becomes the
 * attempt `event` ended: `durationMs`, ended at `endedAt`, named by `event`
 * (promotion-event-counter.ts endBeforeRollback: as in event-time order).
 */
export function recountDuration(w: EnvWindow, event: PromotionEvent, from: number, durationMs: number, endedAt: number): void {
  if (!w.durations.replace(from, durationMs)) return;
  const kept = w.slowest.findIndex((a) => a.promotionId === event.promotionId && a.durationMs === from);
  if (kept >= 0) w.slowest.splice(kept, 1);
  keepFirst(w.slowest, { ...named(event), durationMs, endedAt }, slowestFirst);
}

/**
 * What `event` left its promotion's outcome at (PromotionWindowRow.decided):
 * `o` as in its promotion-outcome (first end, outcome, deciding time, rollback).
 */
export function noteDecided(
  w: EnvWindow,
  event: PromotionEvent,
  o: { firstEndedAt: number; outcome: string; decidedAt: number; rolledBackAt?: number },
  windowMs: number,
): void {
  const d: DecidedPromotion = {
    ...named(event),
    countedIn: windowStart(o.firstEndedAt, windowMs) + windowMs,
    decidedAt: o.decidedAt,
    succeeded: o.outcome === 'succeeded',
    rolledBack: o.rolledBackAt !== undefined,
  };
  // Optional fields may arrive as null (a producer sending every field): null names nothing, like absent.
  if (event.rollbackTo != null) d.rollbackTo = event.rollbackTo.version;
  if (event.actor != null) d.actor = event.actor;
  if (event.reason != null) d.reason = clipText(event.reason, MAX_NAMED_REASON);
  w.decided.set(d);
}

/**
 * The promotion of `event` first ended at `firstEndedAt` after all, before
 * the rollback this window noted for it (endBeforeRollback): that note stays
 * the rollback's, now counted in the first end's window, as in event-time
 * order; without one (not noted here), `event` decides it, rolled back.
 */
export function noteEndedBeforeRollback(w: EnvWindow, event: PromotionEvent, o: { firstEndedAt: number; outcome: string; decidedAt: number; rolledBackAt: number }, windowMs: number): void {
  const rollback = w.decided.get(event.promotionId);
  if (rollback?.rolledBack) w.decided.set({ ...rollback, countedIn: windowStart(o.firstEndedAt, windowMs) + windowMs });
  else noteDecided(w, event, o, windowMs);
}

function named(event: PromotionEvent): NamedPromotion {
  const p: NamedPromotion = { promotionId: event.promotionId, artifact: event.artifact };
  if (event.version != null) p.version = event.version;
  return p;
}

function latestRunFirst(a: FailedGateRun, b: FailedGateRun): number {
  return b.at - a.at || byText(a.promotionId, b.promotionId) || byText(a.artifact, b.artifact);
}

function slowestFirst(a: TimedAttempt, b: TimedAttempt): number {
  return b.durationMs - a.durationMs || a.endedAt - b.endedAt || byText(a.promotionId, b.promotionId) || byText(a.artifact, b.artifact);
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

/**
 * The named items (decided, slowest, failedRuns) only when there are some, and
 * a histogram of durations only once one holds them: an ordinary window
 * snapshots as before they were kept.
 */
export function envWindowSnapshot(w: EnvWindow): EnvWindowSnapshot {
  const { decided, slowest, durations, ...rest } = w;
  const snapshot: EnvWindowSnapshot = {
    ...rest,
    successChanges: [...w.successChanges],
    ...durationsSnapshot(durations),
    gates: [...w.gates].map(([gate, { failedRuns, durations: runs, ...g }]) => [
      gate,
      { ...g, ...durationsSnapshot(runs), ...(failedRuns.length > 0 ? { failedRuns: failedRuns.map((r) => ({ ...r })) } : {}) },
    ]),
  };
  if (decided.size > 0) snapshot.decided = [...decided.values()].map((d) => ({ ...d }));
  const unlisted = decided.unlistedRetries;
  if (unlisted.length > 0) snapshot.unlistedRetries = unlisted;
  if (slowest.length > 0) snapshot.slowest = slowest.map((a) => ({ ...a }));
  return snapshot;
}

function durationsSnapshot(q: BoundedQuantiles): { durations: number[]; durationsSketch?: BoundedQuantilesSnapshot } {
  const sketch = q.sketch();
  return sketch === undefined ? { durations: [...q.values!] } : { durations: [], durationsSketch: sketch };
}

function durationsFromSnapshot(s: { durations: number[]; durationsSketch?: BoundedQuantilesSnapshot }): BoundedQuantiles {
  return BoundedQuantiles.restore(EXACT_DURATIONS_KEPT, s.durations, s.durationsSketch);
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
  const { successesTakenBack: _legacy, durationsSketch: _sketch, unlistedRetries, ...counts } = w;
  const decided = new DecidedNotes(windowEnd);
  decided.restore(w.decided ?? [], unlistedRetries ?? []);
  return {
    ...counts,
    rolledBackAfterSuccess,
    promotionsEnded,
    endedSucceeded: w.endedSucceeded ?? w.succeeded,
    successChanges,
    durations: durationsFromSnapshot(w),
    gates: new Map(
      w.gates.map(([gate, saved]) => {
        const { durationsSketch: _sketch, ...g } = saved;
        return [gate, { ...g, durations: durationsFromSnapshot(saved), failedRuns: (g.failedRuns ?? []).map((r) => ({ ...r })) }];
      }),
    ),
    decided,
    slowest: (w.slowest ?? []).map((a) => ({ ...a })),
  };
}

/** Counts in `w` the difference `after` − `before` of what one promotion's events gave (a late one put in its place, promotion-window-logs.ts). */
export function addDifference(w: EnvWindow, before: EnvWindow, after: EnvWindow): void {
  for (const count of ['started', 'succeeded', 'failed', 'rolledBack', 'rolledBackAfterSuccess', 'promotionsEnded', 'endedSucceeded'] as const) {
    w[count] += after[count] - before[count];
  }
  for (const [end, delta] of before.successChanges) addSuccessChange(w, end, -delta);
  for (const [end, delta] of after.successChanges) addSuccessChange(w, end, delta);
  // Always held: the logged events were counted in this window by this process (logs are not restored).
  w.durations.removeAll(before.durations);
  w.durations.addAll(after.durations);
  // One promotion's events: what they decided and its attempts are theirs alone. An attempt the bound dropped when
  // it was first counted stays dropped (the text names fewer; its counts stay exact).
  for (const id of before.decided.keys()) w.decided.delete(id);
  for (const d of after.decided.values()) w.decided.set(d);
  w.slowest = w.slowest.filter((a) => !before.slowest.some((b) => b.promotionId === a.promotionId && b.endedAt === a.endedAt && b.durationMs === a.durationMs));
  for (const a of after.slowest) keepFirst(w.slowest, a, slowestFirst);
}
