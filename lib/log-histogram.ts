/**
 * Counts of non-negative values in logarithmic buckets (the DDSketch idea):
 * bucket i holds the values in (γ^(i−1), γ^i], and stands for the one value
 * 2γ^i/(γ+1), within RELATIVE_ACCURACY (1 %) of every value it holds; zero
 * has a bucket of its own and stays exact. Values are added and removed one
 * by one or a histogram at a time, so a sliding window can take out what
 * leaves it.
 *
 * Bounded: at most MAX_BUCKETS buckets, whatever the values. One value
 * further than that many buckets above the lowest one held moves the lowest
 * buckets into one (and one as far below lands in the lowest): past a ratio
 * of γ^MAX_BUCKETS ≈ 4·10^17 between the largest and the smallest value held,
 * the smallest lose their accuracy, never the largest. Milliseconds from 1 ms
 * to 30 years take about 1 400 buckets.
 *
 * Where exact figures are kept up to a bound and this takes over past it:
 * lib/bounded-quantiles.ts (and the MTTR figures past their bound, which use it).
 */
import { quantileOfSorted } from './quantiles.js';
import { upperBound } from './sorted-search.js';

/** How far (relative) the value a bucket stands for may be from the values it holds. */
export const RELATIVE_ACCURACY = 0.01;
/** Most buckets one histogram holds (see the module comment). */
export const MAX_BUCKETS = 2048;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);

/** Plain JSON form: the count of zeros, and [bucket index, count] of every bucket that holds some, lowest first. */
export interface LogHistogramSnapshot {
  zeros: number;
  buckets: Array<[index: number, count: number]>;
}

export class LogHistogram {
  private zeros = 0;
  /** counts[k] is bucket `offset + k`'s. */
  private counts: number[] = [];
  private offset = 0;
  private total = 0;
  /** Whether values below the lowest bucket were counted in it (folded, or too far below): those are taken out of it. */
  private folded = false;
  /** See `cumulative`; undefined after any change. */
  private cum: number[] | undefined;

  /** How many values it holds. */
  get count(): number {
    return this.total;
  }

  add(value: number, n = 1): void {
    this.addAt(value > 0 ? bucketOf(value) : undefined, n);
  }

  /** Takes out `n` of `value` (added before); false, changing nothing, when its bucket holds fewer. */
  remove(value: number, n = 1): boolean {
    return this.removeAt(value > 0 ? bucketOf(value) : undefined, n);
  }

  /** Adds every value `other` holds (each in the bucket it is in there). */
  addAll(other: LogHistogram): void {
    if (other.zeros > 0) this.addAt(undefined, other.zeros);
    other.forEachBucket((index, count) => this.addAt(index, count));
  }

  /** Takes out every value `other` holds (added before with addAll); false when some were not held (what could be taken out was). */
  removeAll(other: LogHistogram): boolean {
    let held = other.zeros === 0 || this.removeAt(undefined, other.zeros);
    other.forEachBucket((index, count) => {
      if (!this.removeAt(index, count)) held = false;
    });
    return held;
  }

  /** The value the highest bucket held stands for (undefined when empty). */
  get largest(): number | undefined {
    for (let k = this.counts.length - 1; k >= 0; k--) if (this.counts[k]! > 0) return valueOf(this.offset + k);
    return this.zeros > 0 ? 0 : undefined;
  }

  /** The buckets held as [value it stands for, count], lowest first (zeros first, exact). */
  ascending(): Array<[value: number, count: number]> {
    const out: Array<[number, number]> = this.zeros > 0 ? [[0, this.zeros]] : [];
    for (let k = 0; k < this.counts.length; k++) if (this.counts[k]! > 0) out.push([valueOf(this.offset + k), this.counts[k]!]);
    return out;
  }

  /**
   * The value at 0-based `rank` (below the count of both) of these values and
   * of `sorted` (ascending, exact, none below 0) together, each of these as
   * its bucket's value, a sorted value equal to it before it. Two binary
   * searches, not a walk: the MTTR snapshots ask it for every scope and
   * window at every snapshot, with thousands of sorted values beside.
   */
  valueAtRank(sorted: readonly number[], rank: number): number | undefined {
    // Zeros (here and there) come first, all 0.
    if (rank < this.zeros + upperBound(sorted, 0)) return 0;
    const cum = this.cumulative();
    // The first bucket k with more values at or below its value than `rank`, here and in `sorted` together.
    let lo = 0;
    let hi = cum.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! + upperBound(sorted, valueOf(this.offset + mid)) > rank) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? this.zeros : cum[lo - 1]!;
    if (lo === cum.length) return sorted[rank - before];
    // Between the previous bucket's value and this one's: sorted values first, then this bucket's.
    const value = valueOf(this.offset + lo);
    const sortedUpTo = upperBound(sorted, value);
    return rank < before + sortedUpTo ? sorted[rank - before] : value;
  }

  /** cum[k]: the values in the zero bucket and buckets up to `offset + k` (made again after a change). */
  private cumulative(): number[] {
    if (this.cum) return this.cum;
    const cum = new Array<number>(this.counts.length);
    let total = this.zeros;
    for (let k = 0; k < this.counts.length; k++) cum[k] = total += this.counts[k]!;
    return (this.cum = cum);
  }

  snapshot(): LogHistogramSnapshot {
    const buckets: Array<[number, number]> = [];
    this.forEachBucket((index, count) => buckets.push([index, count]));
    return { zeros: this.zeros, buckets };
  }

  static restore(state: LogHistogramSnapshot): LogHistogram {
    const h = new LogHistogram();
    if (state.zeros > 0) h.addAt(undefined, state.zeros);
    for (const [index, count] of state.buckets) h.addAt(index, count);
    return h;
  }

  private forEachBucket(visit: (index: number, count: number) => void): void {
    for (let k = 0; k < this.counts.length; k++) if (this.counts[k]! > 0) visit(this.offset + k, this.counts[k]!);
  }

  /** Adds `n` to bucket `index` (undefined: zero), growing the buckets or folding the lowest ones as MAX_BUCKETS allows. */
  private addAt(index: number | undefined, n: number): void {
    this.cum = undefined;
    this.total += n;
    if (index === undefined) {
      this.zeros += n;
      return;
    }
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(n);
      return;
    }
    const top = this.offset + this.counts.length - 1;
    if (index > top) {
      const lowest = index - MAX_BUCKETS + 1;
      if (lowest > this.offset) this.foldBelow(lowest);
      while (this.offset + this.counts.length - 1 < index) this.counts.push(0);
    } else if (index < this.offset) {
      // Below the lowest bucket: extend down while the span allows, else it counts in the lowest.
      const lowest = Math.max(index, top - MAX_BUCKETS + 1);
      if (lowest < this.offset) {
        this.counts = [...new Array<number>(this.offset - lowest).fill(0), ...this.counts];
        this.offset = lowest;
      }
      if (index < this.offset) {
        this.folded = true;
        index = this.offset;
      }
    }
    this.counts[index - this.offset]! += n;
  }

  private removeAt(index: number | undefined, n: number): boolean {
    this.cum = undefined;
    if (index === undefined) {
      if (this.zeros < n) return false;
      this.zeros -= n;
      this.total -= n;
      return true;
    }
    // A value below the lowest bucket was folded into it (or counted there), if any was.
    if (index < this.offset && !this.folded) return false;
    const k = Math.max(index, this.offset) - this.offset;
    if (k >= this.counts.length || this.counts[k]! < n) return false;
    this.counts[k]! -= n;
    this.total -= n;
    return true;
  }

  /** Moves the buckets below `lowest` into it (they are too far below the highest to keep apart). */
  private foldBelow(lowest: number): void {
    const drop = Math.min(lowest - this.offset, this.counts.length);
    let folded = 0;
    for (let k = 0; k < drop; k++) folded += this.counts[k]!;
    this.folded = true;
    this.counts = this.counts.slice(drop);
    this.offset += drop;
    if (this.counts.length === 0 || this.offset < lowest) {
      // Every bucket was below: the new lowest starts empty at `lowest`.
      this.counts = [];
      this.offset = lowest;
      this.counts.push(0);
    }
    this.counts[0]! += folded;
  }
}

function bucketOf(value: number): number {
  return Math.ceil(Math.log(value) / LN_GAMMA);
}


function valueOf(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

/**
 * Nearest-rank quantile (lib/quantiles.ts) of the values of `sorted`
 * (ascending, exact) and of `histogram` together; each histogram value is
 * its bucket's, so the result is within RELATIVE_ACCURACY of the exact one.
 * With an empty histogram it is quantileOfSorted's, exactly.
 */
export function quantileWithHistogram(sorted: readonly number[], histogram: LogHistogram | undefined, q: number): number | undefined {
  if (histogram === undefined || histogram.count === 0) return quantileOfSorted(sorted, q);
  const n = sorted.length + histogram.count;
  return histogram.valueAtRank(sorted, Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1)));
}
