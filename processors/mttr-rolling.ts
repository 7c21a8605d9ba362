/**
 * Incremental `rollingSnapshots` for the MTTR processor: the same snapshots,
 * without filtering and sorting every resolved incident of the last 7 days
 * for every scope and window at every snapshot. That made the cost of a
 * snapshot grow with the incidents kept, and snapshots themselves grow with
 * incidents: quadratic, and the largest cost of a long replay.
 *
 * Per scope ('*' and each env) the resolved incidents are kept in resolution
 * order, and per trailing window the recoveries of the incidents inside it
 * in a sorted array, moved along as the window slides (binary insertion and
 * removal), with their count and running sum. So quantiles are read off the
 * array and the mean off the sum.
 *
 * Exactness (the results are those of `rollingSnapshots`, value for value):
 * - a window is a contiguous range of its scope's list only while
 *   resolutions come in nondecreasing resolvedAt order (they do: facts come
 *   in event-time order); a window that moves back is rebuilt;
 * - the running sum equals `mean`'s in-order sum while every recovery is an
 *   integer and every sum a safe integer (integer sums are exact in any
 *   order), and sorted arrays agree while no recovery is -0 or NaN.
 * Anything else (a resolution out of order, a recovery that is not an
 * integer or is -0, a sum past 2^53) switches to `rollingSnapshots` itself
 * until the next `reset`. Recoveries are differences of epoch ms, so none of
 * that happens in practice.
 */
import type { MttrSnapshot } from './facts.js';
import { mttrWindows, recoveryFigures, rollingSnapshots, type Open, type Resolved } from './mttr-snapshots.js';
import type { OpenStarts } from './mttr-open-starts.js';
import type { FoldedRecoveries } from './mttr-folded.js';
import { lowerBound } from '../lib/sorted-search.js';

interface WindowState {
  /** Absolute indexes [lo, hi) of the scope's list covered by `sorted`. */
  lo: number;
  hi: number;
  sorted: number[];
  sum: number;
  /** The sum left the safe integers, or a removal missed: the state cannot be trusted. */
  broken: boolean;
}

interface ScopeList {
  entries: Resolved[];
  /** Absolute index of entries[0]. */
  base: number;
  /** Absolute index of the first entry not pruned. */
  head: number;
  windows: WindowState[];
}

export class RollingRecoveries {
  private scopes = new Map<string, ScopeList>();
  /** False once the incremental path cannot guarantee `rollingSnapshots`' results. */
  private exact = true;

  /** Forget everything and start over from `resolved` (restore). */
  reset(resolved: Iterable<Resolved>): void {
    this.scopes = new Map();
    this.exact = true;
    for (const r of resolved) this.add(r);
  }

  /** A resolution, appended to the processor's list. */
  add(r: Resolved): void {
    if (!Number.isSafeInteger(r.recoveryMs) || Object.is(r.recoveryMs, -0)) this.exact = false;
    if (!this.exact) return;
    for (const scope of ['*', r.env]) {
      let list = this.scopes.get(scope);
      if (!list) {
        list = { entries: [], base: 0, head: 0, windows: mttrWindows.map(() => ({ lo: 0, hi: 0, sorted: [], sum: 0, broken: false })) };
        this.scopes.set(scope, list);
      }
      const last = list.entries[list.entries.length - 1];
      // Binary search over the list (pruned entries included) needs it sorted.
      if (last !== undefined && !(r.resolvedAt >= last.resolvedAt)) this.exact = false;
      list.entries.push(r);
    }
  }

  /** The processor pruned the oldest resolution `r` (the front of its list). */
  drop(r: Resolved): void {
    if (!this.exact) return;
    for (const scope of ['*', r.env]) {
      const list = this.scopes.get(scope);
      if (!list || list.entries[list.head - list.base] !== r) {
        this.exact = false;
        return;
      }
      list.head++;
    }
  }

  /**
   * What `rollingSnapshots(asOf, resolved, open, folded)` returns; `resolved` is the
   * processor's list, `openStarts` the start times of `open` by scope (which
   * is only walked when those cannot be trusted).
   */
  snapshots(asOf: number, resolved: readonly Resolved[], openStarts: OpenStarts, open: Iterable<Open>, folded: FoldedRecoveries): MttrSnapshot[] {
    if (!this.exact || !openStarts.exact) return rollingSnapshots(asOf, resolved, open, folded);
    const envs = new Set<string>(openStarts.envsOpenAt(asOf));
    for (const env of folded.envsAt(asOf)) envs.add(env);
    for (const [scope, list] of this.scopes) {
      const first = list.entries[list.head - list.base];
      if (first === undefined) this.scopes.delete(scope);
      else if (first.resolvedAt <= asOf) envs.add(scope);
    }
    envs.delete('*');
    const out: MttrSnapshot[] = [];
    for (const scope of ['*', ...[...envs].sort()]) {
      const list = this.scopes.get(scope);
      const openCount = openStarts.countAt(scope, asOf);
      const oldest = openStarts.oldest(scope);
      for (let w = 0; w < mttrWindows.length; w++) {
        const [window, size] = mttrWindows[w]!;
        const state = list ? slide(list, list.windows[w]!, asOf - size, asOf) : undefined;
        if (state?.broken) {
          this.exact = false;
          return rollingSnapshots(asOf, resolved, open, folded);
        }
        const n = state ? state.hi - state.lo : 0;
        out.push({
          asOf,
          scope,
          window,
          ...recoveryFigures(n === 0 ? [] : state!.sorted, n === 0 ? 0 : state!.sum, folded.figures(scope, w, asOf)),
          openIncidents: openCount,
          oldestOpenMs: openCount > 0 ? asOf - oldest : null,
        });
      }
    }
    this.compact();
    return out;
  }

  /** Drops list entries that no window covers any more and that were pruned. */
  private compact(): void {
    for (const list of this.scopes.values()) {
      let keepFrom = list.head;
      for (const w of list.windows) if (w.hi > w.lo) keepFrom = Math.min(keepFrom, w.lo);
      const drop = keepFrom - list.base;
      if (drop > 1024 && drop * 2 > list.entries.length) {
        list.entries = list.entries.slice(drop);
        list.base = keepFrom;
      }
    }
  }
}

/** Moves a window to resolutions in (from, to] of its scope and returns it. */
function slide(list: ScopeList, w: WindowState, from: number, to: number): WindowState {
  const lo = Math.max(list.head, firstAfter(list, from));
  const hi = Math.max(lo, firstAfter(list, to));
  const at = (i: number) => list.entries[i - list.base]!.recoveryMs;
  if (lo < w.lo || hi < w.hi || w.lo < list.base) {
    // Moved back (or its entries were compacted away): rebuild.
    w.sorted = [];
    w.sum = 0;
    for (let i = lo; i < hi; i++) insert(w, at(i));
  } else {
    for (let i = w.lo; i < Math.min(lo, w.hi); i++) remove(w, at(i));
    for (let i = Math.max(lo, w.hi); i < hi; i++) insert(w, at(i));
  }
  w.lo = lo;
  w.hi = hi;
  return w;
}

/** Absolute index of the first entry (pruned or not) with resolvedAt > t. */
function firstAfter(list: ScopeList, t: number): number {
  const e = list.entries;
  let lo = 0;
  let hi = e.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (e[mid]!.resolvedAt > t) hi = mid;
    else lo = mid + 1;
  }
  return list.base + lo;
}

function insert(w: WindowState, v: number): void {
  // Before or after values equal to v: the same list (no -0 or NaN gets here, see `add`).
  w.sorted.splice(lowerBound(w.sorted, v), 0, v);
  w.sum += v;
  if (!Number.isSafeInteger(w.sum)) w.broken = true;
}

function remove(w: WindowState, v: number): void {
  const s = w.sorted;
  const i = lowerBound(s, v);
  if (s[i] !== v) {
    w.broken = true;
    return;
  }
  s.splice(i, 1);
  w.sum -= v;
}
