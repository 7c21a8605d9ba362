/**
 * Counter, gauge and histogram with labels: the three Prometheus types the
 * engine needs. Each series is identified by its label values in declared
 * order; labels are checked on every update so a typo fails in tests instead
 * of silently creating a new series.
 */
import { assertLabelName, sampleLine } from './exposition.js';

export type LabelValues<L extends string> = { readonly [K in L]: string | number };
type Pairs = Array<readonly [string, string]>;

/** One value of one series, as `snapshot()` returns it (e.g. for the store's engine_metrics table). */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /**
   * An unlabeled metric is exposed at 0 before its first update, so "nothing
   * happened yet" reads as a value (0 events, 0 open). For a value that does
   * not exist yet — the watermark delay before there is a watermark — 0
   * would say something false: with this, the series is absent until set,
   * and `reset()` makes it absent again.
   */
  absentUntilSet?: boolean;
}

abstract class Metric<L extends string, S> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly absentUntilSet: boolean;
  protected readonly series = new Map<string, { pairs: Pairs; state: S }>();

  constructor(options: MetricOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.absentUntilSet = options.absentUntilSet ?? false;
    for (const l of this.labelNames) assertLabelName(this.name, l);
    if (new Set(this.labelNames).size !== this.labelNames.length) throw new TypeError(`duplicate label name on ${this.name}`);
  }

  protected abstract initial(): S;

  protected pairsOf(labels: LabelValues<L> | undefined): { key: string; pairs: Pairs } {
    const given = (labels ?? {}) as Record<string, string | number | undefined>;
    const keys = Object.keys(given);
    const missing = this.labelNames.filter((l) => given[l] === undefined);
    if (missing.length > 0 || keys.length !== this.labelNames.length) {
      throw new TypeError(`${this.name} takes labels [${this.labelNames.join(', ')}], got {${keys.join(', ')}}`);
    }
    const pairs: Pairs = this.labelNames.map((l) => [l, String(given[l])] as const);
    return { key: pairs.map(([, v]) => v).join('\u0000'), pairs };
  }

  protected stateFor(labels: LabelValues<L> | undefined): S {
    const { key, pairs } = this.pairsOf(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { pairs, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Drops one series (e.g. the lag of a partition this member no longer owns). */
  remove(labels: LabelValues<L>): void {
    this.series.delete(this.pairsOf(labels).key);
  }

  /** Drops every series. */
  reset(): void {
    this.series.clear();
  }

  /** Series to expose; an unlabeled metric always has its one series, at its initial value (unless absentUntilSet). */
  protected entries(): Array<{ pairs: Pairs; state: S }> {
    if (this.labelNames.length === 0 && this.series.size === 0 && !this.absentUntilSet) return [{ pairs: [], state: this.initial() }];
    return [...this.series.values()];
  }

  abstract lines(): string[];
  abstract samples(): MetricSample[];
}

abstract class ScalarMetric<L extends string> extends Metric<L, { value: number }> {
  protected initial(): { value: number } {
    return { value: 0 };
  }
  /** Current value of one series (0 when it was never touched). */
  get(labels?: LabelValues<L>): number {
    return this.series.get(this.pairsOf(labels).key)?.state.value ?? 0;
  }
  lines(): string[] {
    return this.entries().map((e) => sampleLine(this.name, e.pairs, e.state.value));
  }
  samples(): MetricSample[] {
    return this.entries().map((e) => ({ name: this.name, labels: Object.fromEntries(e.pairs), value: e.state.value }));
  }
}

/** Only goes up (events seen, failures). Name it `..._total`. */
export class Counter<L extends string = never> extends ScalarMetric<L> {
  readonly type = 'counter';
  inc(labels?: LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new TypeError(`${this.name}: a counter only increases, got ${by}`);
    this.stateFor(labels).value += by;
  }
}

/** Goes up and down (lag, open incidents, pending rows). */
export class Gauge<L extends string = never> extends ScalarMetric<L> {
  readonly type = 'gauge';
  set(labels: LabelValues<L> | undefined, value: number): void {
    this.stateFor(labels).value = value;
  }
  inc(labels?: LabelValues<L>, by = 1): void {
    this.stateFor(labels).value += by;
  }
  dec(labels?: LabelValues<L>, by = 1): void {
    this.stateFor(labels).value -= by;
  }
}

/** Prometheus' default buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface HistogramState {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Distribution of observations (latencies) in fixed buckets; exposes cumulative `_bucket`, `_sum`, `_count`. */
export class Histogram<L extends string = never> extends Metric<L, HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: MetricOptions<L> & { buckets?: readonly number[] }) {
    super(options);
    if ((this.labelNames as readonly string[]).includes('le')) throw new TypeError(`${this.name}: "le" is reserved for histogram buckets`);
    const buckets = [...new Set(options.buckets ?? DEFAULT_BUCKETS)].filter((b) => b !== Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    if (buckets.length === 0 || buckets.some((b) => !Number.isFinite(b))) throw new TypeError(`${this.name}: buckets must be finite numbers`);
    this.buckets = buckets;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: LabelValues<L> | undefined, value: number): void {
    const s = this.stateFor(labels);
    const i = this.buckets.findIndex((b) => value <= b);
    s.counts[i === -1 ? this.buckets.length : i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const { pairs, state } of this.entries()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += state.counts[i]!;
        out.push(sampleLine(`${this.name}_bucket`, [...pairs, ['le', String(b)]], cumulative));
      });
      out.push(sampleLine(`${this.name}_bucket`, [...pairs, ['le', '+Inf']], state.count));
      out.push(sampleLine(`${this.name}_sum`, pairs, state.sum));
      out.push(sampleLine(`${this.name}_count`, pairs, state.count));
    }
    return out;
  }

  /** `_sum` and `_count` per series (buckets are for Prometheus; the store keeps the totals). */
  samples(): MetricSample[] {
    return this.entries().flatMap(({ pairs, state }) => [
      { name: `${this.name}_sum`, labels: Object.fromEntries(pairs), value: state.sum },
      { name: `${this.name}_count`, labels: Object.fromEntries(pairs), value: state.count },
    ]);
  }
}

export type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;
