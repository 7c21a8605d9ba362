/**
 * The MTTR processor's resolved incidents past its exact bound
 * (mttr-resolved.ts EXACT_RESOLVED_KEPT), folded: per scope ('*' and each
 * env) and trailing window, time bins of 1/60 of the window (1 min of the
 * hour, 24 min of the day, 2 h 48 min of the week), each holding the count,
 * the sum and a histogram (lib/log-histogram.ts) of the recoveries that
 * resolved in it, and the running total of the bins in the window. So a
 * burst of incidents costs a bounded number of bins, not an entry each.
 *
 * What that gives up: a bin leaves its window when its last millisecond
 * does, so near the window's start the figures count up to one bin of
 * incidents that resolved just before it (none when no folded incident is
 * that old: the 7-day figures of incidents of the last 6 days are exact);
 * p50/p90 are within 1 %. Folded incidents have no ids (a second resolution
 * of one would count again) and their departure from the mttr_breach rule's
 * window is published with the next snapshot, not at its own time. Bins a
 * snapshot at a later time has dropped are not brought back by one at an
 * earlier time (facts come in time order: snapshots do not go back).
 */
import { LogHistogram, type LogHistogramSnapshot } from '../lib/log-histogram.js';
import { mttrWindows, type Resolved } from './mttr-snapshots.js';

/** How many bins a window is cut into. */
export const BINS_PER_WINDOW = 60;

interface Bin {
  start: number;
  sum: number;
  histogram: LogHistogram;
}

interface FoldedWindow {
  /** Bin width: the window's size / BINS_PER_WINDOW. */
  width: number;
  size: number;
  /** Ascending by start; only those that have not left the window (as of the latest snapshot). */
  bins: Bin[];
  /** The recoveries of `bins` together. */
  total: LogHistogram;
  sum: number;
}

/** What a scope's folded incidents add to one window's figures. */
export interface FoldedFigures {
  count: number;
  sum: number;
  histogram: LogHistogram;
}

/** Plain JSON form: per scope, per window (mttrWindows order), its bins as [start, sum, histogram]. */
export type FoldedSnapshot = Array<[scope: string, windows: Array<Array<[start: number, sum: number, histogram: LogHistogramSnapshot]>>]>;

export class FoldedRecoveries {
  private readonly scopes = new Map<string, FoldedWindow[]>();

  get isEmpty(): boolean {
    return this.scopes.size === 0;
  }

  /** Bins held in all (tests: the bound). */
  get binCount(): number {
    let n = 0;
    for (const windows of this.scopes.values()) for (const w of windows) n += w.bins.length;
    return n;
  }

  /** Folds one resolved incident (the oldest of those kept exactly, so nearly always into the latest bins). */
  add(r: Resolved): void {
    for (const scope of ['*', r.env]) {
      let windows = this.scopes.get(scope);
      if (!windows) this.scopes.set(scope, (windows = mttrWindows.map(([, size]) => emptyWindow(size))));
      for (const w of windows) addTo(w, binOf(w, Math.floor(r.resolvedAt / w.width) * w.width), r.recoveryMs);
    }
  }

  /** Whether any folded incident is in the 7-day window at `asOf`. */
  holdsAt(asOf: number): boolean {
    return this.figures('*', mttrWindows.length - 1, asOf) !== undefined;
  }

  /** The scopes (not '*') with folded incidents in their 7-day window at `asOf`. */
  envsAt(asOf: number): string[] {
    const envs: string[] = [];
    for (const scope of [...this.scopes.keys()]) if (scope !== '*' && this.figures(scope, mttrWindows.length - 1, asOf)) envs.push(scope);
    return envs;
  }

  /** What the folded incidents of `scope` add to window `w` (mttrWindows index) at `asOf`; undefined when nothing. */
  figures(scope: string, w: number, asOf: number): FoldedFigures | undefined {
    const windows = this.scopes.get(scope);
    if (!windows) return undefined;
    const fw = windows[w]!;
    slide(fw, asOf);
    if (windows.every((x) => x.bins.length === 0)) this.scopes.delete(scope);
    return fw.total.count > 0 ? { count: fw.total.count, sum: fw.sum, histogram: fw.total } : undefined;
  }

  snapshot(): FoldedSnapshot {
    return [...this.scopes].map(([scope, windows]) => [scope, windows.map((w) => w.bins.map((b): [number, number, LogHistogramSnapshot] => [b.start, b.sum, b.histogram.snapshot()]))]);
  }

  restore(state: FoldedSnapshot): void {
    this.scopes.clear();
    for (const [scope, saved] of state) {
      const windows = mttrWindows.map(([, size]) => emptyWindow(size));
      saved.forEach((bins, i) => {
        const w = windows[i];
        if (!w) return;
        for (const [start, sum, histogram] of bins) {
          const bin: Bin = { start, sum, histogram: LogHistogram.restore(histogram) };
          w.bins.push(bin);
          w.total.addAll(bin.histogram);
          w.sum += sum;
        }
      });
      this.scopes.set(scope, windows);
    }
  }
}

function emptyWindow(size: number): FoldedWindow {
  return { width: size / BINS_PER_WINDOW, size, bins: [], total: new LogHistogram(), sum: 0 };
}

/** The bin starting at `start`, made in its place if there is none. */
function binOf(w: FoldedWindow, start: number): Bin {
  let i = w.bins.length;
  while (i > 0 && w.bins[i - 1]!.start > start) i--;
  if (i > 0 && w.bins[i - 1]!.start === start) return w.bins[i - 1]!;
  const bin: Bin = { start, sum: 0, histogram: new LogHistogram() };
  w.bins.splice(i, 0, bin);
  return bin;
}

function addTo(w: FoldedWindow, bin: Bin, recoveryMs: number): void {
  bin.histogram.add(recoveryMs);
  bin.sum += recoveryMs;
  w.total.add(recoveryMs);
  w.sum += recoveryMs;
}

/** Drops the bins whose last millisecond has left the window (asOf − size, asOf]. */
function slide(w: FoldedWindow, asOf: number): void {
  const from = asOf - w.size;
  let drop = 0;
  while (drop < w.bins.length && w.bins[drop]!.start + w.width - 1 <= from) drop++;
  if (drop === 0) return;
  let held = true;
  for (const bin of w.bins.slice(0, drop)) {
    if (!w.total.removeAll(bin.histogram)) held = false;
    w.sum -= bin.sum;
  }
  w.bins = w.bins.slice(drop);
  if (!held) {
    // Cannot happen (the total holds every bin's recoveries); if it did, the total is made again from the bins.
    w.total = new LogHistogram();
    w.sum = 0;
    for (const bin of w.bins) {
      w.total.addAll(bin.histogram);
      w.sum += bin.sum;
    }
  }
}
