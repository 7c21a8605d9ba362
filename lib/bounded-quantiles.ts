/**
 * The values behind a window's count, sum, maximum and nearest-rank
 * quantiles (a promotion window's durations, a gate's run times), in memory
 * bounded whatever the number of values: kept as they are, in the order they
 * came, up to `exactLimit` of them — then every figure is exactly what the
 * list gives (lib/quantiles.ts) — and past that in a LogHistogram: count and
 * sum stay exact, the quantiles are within RELATIVE_ACCURACY (1 %) of the
 * exact ones, and so is the maximum once a value equal to it was taken out
 * (a late event counted again, promotion-window-counts.ts).
 *
 * The list is the state's old form, so an ordinary window's snapshot is as it
 * was; a histogram has a snapshot form of its own (`BoundedQuantilesSnapshot`).
 */
import { LogHistogram, quantileWithHistogram, type LogHistogramSnapshot } from './log-histogram.js';
import { sortedCopy } from './quantiles.js';

/** Past `exactLimit` values: their sum and maximum, and the histogram (which counts them). */
export interface BoundedQuantilesSnapshot {
  sum: number;
  max: number;
  histogram: LogHistogramSnapshot;
}

export class BoundedQuantiles {
  /** The values as they came, while there are at most `exactLimit`; undefined once the histogram took over. */
  private list: number[] | undefined;
  private histogram: LogHistogram | undefined;
  private total = 0;
  private maximum = -Infinity;

  constructor(
    private readonly exactLimit: number,
    values: readonly number[] = [],
  ) {
    this.list = [...values];
    if (this.list.length > exactLimit) this.overflow();
  }

  static restore(exactLimit: number, values: readonly number[], sketch: BoundedQuantilesSnapshot | undefined): BoundedQuantiles {
    const q = new BoundedQuantiles(exactLimit, sketch === undefined ? values : []);
    if (sketch !== undefined) {
      q.list = undefined;
      q.histogram = LogHistogram.restore(sketch.histogram);
      q.total = sketch.sum;
      q.maximum = sketch.max;
      for (const v of values) q.add(v);
    }
    return q;
  }

  get count(): number {
    return this.list?.length ?? this.histogram!.count;
  }

  /** The sum (of the list in its order while there is one, as a row always summed it). */
  get sum(): number {
    return this.list ? this.list.reduce((a, b) => a + b, 0) : this.total;
  }

  /** The largest value, undefined when there is none. */
  get max(): number | undefined {
    if (this.list) return this.list.length > 0 ? this.list.reduce((a, b) => (b > a ? b : a)) : undefined;
    return this.histogram!.count > 0 ? this.maximum : undefined;
  }

  /** The values as they came, while they are kept so (undefined once a histogram holds them). */
  get values(): readonly number[] | undefined {
    return this.list;
  }

  add(value: number): void {
    if (this.list) {
      this.list.push(value);
      if (this.list.length > this.exactLimit) this.overflow();
      return;
    }
    this.histogram!.add(value);
    this.total += value;
    if (value > this.maximum) this.maximum = value;
  }

  /** Takes out one `value`; false when none is held. */
  remove(value: number): boolean {
    if (this.list) {
      const i = this.list.indexOf(value);
      if (i < 0) return false;
      this.list.splice(i, 1);
      return true;
    }
    if (!this.histogram!.remove(value)) return false;
    this.total -= value;
    if (value >= this.maximum) this.maximum = this.histogram!.largest ?? -Infinity;
    return true;
  }

  /** Replaces one `from` by `to`, where `from` was (in the list: at its place); false when none is held. */
  replace(from: number, to: number): boolean {
    if (this.list) {
      const i = this.list.indexOf(from);
      if (i < 0) return false;
      this.list[i] = to;
      return true;
    }
    if (!this.remove(from)) return false;
    this.add(to);
    return true;
  }

  /** Adds every value `other` holds. */
  addAll(other: BoundedQuantiles): void {
    if (other.list) {
      for (const v of other.list) this.add(v);
      return;
    }
    if (this.list) this.overflow();
    this.histogram!.addAll(other.histogram!);
    this.total += other.total;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
  }

  /** Takes out every value `other` holds (added before); false when some were not held. */
  removeAll(other: BoundedQuantiles): boolean {
    if (other.list) {
      let held = true;
      for (const v of other.list) if (!this.remove(v)) held = false;
      return held;
    }
    // Holding more than the limit of `other`'s values, this has a histogram too.
    if (this.list) return false;
    const held = this.histogram!.removeAll(other.histogram!);
    this.total -= other.total;
    if (other.maximum >= this.maximum) this.maximum = this.histogram!.largest ?? -Infinity;
    return held;
  }

  /** Nearest-rank quantile: exact from the list, within 1 % from the histogram, never above the maximum. */
  quantile(q: number): number | undefined {
    return this.quantiles([q])[0];
  }

  /** Several quantiles (as `quantile`), the list sorted once for all. */
  quantiles(qs: readonly number[]): Array<number | undefined> {
    if (this.list) {
      const sorted = sortedCopy(this.list);
      return qs.map((q) => quantileWithHistogram(sorted, undefined, q));
    }
    return qs.map((q) => {
      const value = quantileWithHistogram([], this.histogram, q);
      return value === undefined ? undefined : Math.min(value, this.maximum);
    });
  }

  /** The histogram's snapshot form, undefined while the values are kept as a list (`values`). */
  sketch(): BoundedQuantilesSnapshot | undefined {
    if (this.list) return undefined;
    return { sum: this.total, max: this.maximum, histogram: this.histogram!.snapshot() };
  }

  private overflow(): void {
    const list = this.list!;
    this.histogram = new LogHistogram();
    this.total = 0;
    for (const v of list) {
      this.histogram.add(v);
      this.total += v;
      if (v > this.maximum) this.maximum = v;
    }
    this.list = undefined;
  }
}
