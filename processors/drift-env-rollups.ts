/**
 * The env rollups of the drift windows (one `env-window` row per env: the
 * sums of its keys' `drift-window` rows), and the whole state that lets a
 * window close a second time without undercounting: the rollups this
 * instance emitted for the windows of the last `CLOSED_ROLLUPS_KEPT_MS`, and
 * the last window end closed.
 *
 * A window closes twice only after a rebalance: a key that moves here with
 * its window still open (its previous owner's event time had not reached the
 * window's end) brings that window back after this instance closed it. Its
 * drift-window row is its own; its env rollup row has the same (env,
 * window_start, instance_id) as the one emitted before, and env_windows is a
 * ReplacingMergeTree on that: a rollup of the moved key alone would replace
 * the first. So the second close emits the sum of both (the row it replaces
 * plus the moved keys), which the index error rate rule takes as a
 * correction of that window's sample (rate-rule.ts). A window closed longer
 * ago than that, with nothing kept for it, emits no env rollup: it could not
 * be told from one this instance had a row for, and a partial row would
 * replace it (the moved keys' share of it is then missing from env_windows;
 * their drift_windows rows have it). In one uninterrupted run, and after a
 * restart (restored windows all end after the restored event time), every
 * window closes once and this changes nothing.
 *
 * Split out of drift-windows.ts, which keeps the per-key windows and their
 * timers; everything here runs once per window close, never per fact.
 */
import { MINUTE } from '../lib/time.js';
import type { DriftWindowRow, EnvWindowRow } from './facts.js';
import type { Emit } from './processor.js';
import { decodeTime, encodeTime } from './stateful.js';
import { byText, keepFirst } from './bounded-examples.js';

/**
 * How long the env rollups of closed windows are kept (see the module
 * comment): as long as the rate rules keep their samples (1 h by default), a
 * few rows per env.
 */
export const CLOSED_ROLLUPS_KEPT_MS = 60 * MINUTE;

/** Plain JSON form of the closed rollups: those emitted for recently closed windows, and the last end closed. */
export interface ClosedRollupsSnapshot {
  closed: EnvWindowRow[];
  closedUpTo: number | null;
}

export class ClosedEnvRollups {
  /** Env rollups emitted for the windows closed in the last CLOSED_ROLLUPS_KEPT_MS, by `<windowStart>/<env>`. */
  private readonly closedRollups = new Map<string, EnvWindowRow>();
  /** The latest window end closed (−∞: none). */
  private closedUpTo = -Infinity;

  /**
   * Emits the env rollups `envs` (summed from the key rows, addToEnv) of the
   * window [start, end) in env order, and remembers them.
   */
  emitRollups(start: number, end: number, envs: Map<string, EnvWindowRow>, emit: Emit): void {
    // A window closed here before (a moved key brought it back, see the module comment): its rollup row is
    // replaced, so the new one carries what the first had too; one too old to tell emits none.
    const closedBefore = end <= this.closedUpTo;
    const known = end > this.closedUpTo - CLOSED_ROLLUPS_KEPT_MS;
    for (const env of [...envs.keys()].sort()) {
      const row = envs.get(env)!;
      const previous = this.closedRollups.get(rollupKey(start, env));
      if (previous) {
        addCounts(row, previous);
        addIndexErrorArtifacts(row, previous);
      }
      else if (closedBefore && !known) continue;
      this.closedRollups.set(rollupKey(start, env), row);
      emit({ kind: 'env-window', at: end, row });
    }
    if (end > this.closedUpTo) this.closedUpTo = end;
    for (const [k, r] of this.closedRollups) if (r.windowEnd <= this.closedUpTo - CLOSED_ROLLUPS_KEPT_MS) this.closedRollups.delete(k);
  }

  snapshot(): ClosedRollupsSnapshot {
    return { closed: [...this.closedRollups.values()].map(copyRollup), closedUpTo: encodeTime(this.closedUpTo) };
  }

  restore(state: ClosedRollupsSnapshot): void {
    this.closedRollups.clear();
    for (const r of state.closed) this.closedRollups.set(rollupKey(r.windowStart, r.env), copyRollup(r));
    this.closedUpTo = decodeTime(state.closedUpTo, -Infinity);
  }
}

/** A copy that shares no array with `r` (rollups from before indexErrorArtifacts have none). */
function copyRollup(r: EnvWindowRow): EnvWindowRow {
  return r.indexErrorArtifacts === undefined ? { ...r } : { ...r, indexErrorArtifacts: r.indexErrorArtifacts.map((a) => ({ ...a })) };
}

function rollupKey(windowStart: number, env: string): string {
  return `${windowStart}/${env}`;
}

/** Adds a key's row to its env's rollup in `envs` (created at zero). */
export function addToEnv(envs: Map<string, EnvWindowRow>, row: DriftWindowRow): void {
  let e = envs.get(row.env);
  if (!e) {
    e = {
      windowStart: row.windowStart,
      windowEnd: row.windowEnd,
      env: row.env,
      observations: 0,
      divergentObservations: 0,
      hydrations: 0,
      hydrationErrors: 0,
      indexOps: 0,
      indexErrors: 0,
      lateEvents: 0,
      indexErrorArtifacts: [],
    };
    envs.set(row.env, e);
  }
  addCounts(e, row);
  if (row.indexErrors > 0) keepFirst(e.indexErrorArtifacts!, { artifact: row.artifact, errors: row.indexErrors }, mostErrorsFirst);
}

/** Adds the counts of a key's or an env's row to an env rollup. */
function addCounts(e: EnvWindowRow, row: DriftWindowRow | EnvWindowRow): void {
  e.observations += row.observations;
  e.divergentObservations += row.divergentObservations;
  e.hydrations += row.hydrations;
  e.hydrationErrors += row.hydrationErrors;
  e.indexOps += row.indexOps;
  e.indexErrors += row.indexErrors;
  e.lateEvents += row.lateEvents;
}

/** The artifacts of both rollups of a window closed twice (module comment): a moved key's artifact is in one of them only. */
function addIndexErrorArtifacts(e: EnvWindowRow, previous: EnvWindowRow): void {
  const kept = (e.indexErrorArtifacts ??= []);
  for (const a of previous.indexErrorArtifacts ?? []) keepFirst(kept, { ...a }, mostErrorsFirst);
}

function mostErrorsFirst(a: { artifact: string; errors: number }, b: { artifact: string; errors: number }): number {
  return b.errors - a.errors || byText(a.artifact, b.artifact);
}
