/**
 * A tiny Prometheus registry: declares metrics once, renders all of them in
 * the text exposition format 0.0.4 on scrape. No dependency: the engine needs
 * three metric types and one output format, not a client library.
 *
 * A value that is cheap to read but costly to push on every change can be
 * refreshed by a `beforeCollect` hook, run at each scrape/snapshot. The live
 * engine's are not: the watermark delay is set on its 250 ms tick, and the
 * consumer lag on a timer of its own (engine/live/partition-lag.ts), since
 * it costs broker requests that a scrape must not multiply.
 */
import { assertMetricName, escapeHelp } from './exposition.js';
import { Counter, Gauge, Histogram, type AnyMetric, type MetricOptions, type MetricSample } from './metric-types.js';

export class MetricsRegistry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #hooks = new Set<() => void>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#register(new Counter<L>(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#register(new Gauge<L>(options));
  }

  histogram<L extends string = never>(options: MetricOptions<L> & { buckets?: readonly number[] }): Histogram<L> {
    return this.#register(new Histogram<L>(options));
  }

  /** A declared metric by name (undefined when none). */
  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name);
  }

  /** Runs `hook` before every `metrics()`/`snapshot()`; returns a function that removes it. */
  beforeCollect(hook: () => void): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /** Every metric in declaration order, as Prometheus text (ends with a line feed). */
  metrics(): string {
    this.#runHooks();
    const lines: string[] = [];
    for (const m of this.#metrics.values()) {
      lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return lines.length === 0 ? '' : lines.join('\n') + '\n';
  }

  /** Every current sample (histograms as _sum and _count), e.g. to write the engine's own metrics to the store. */
  snapshot(): MetricSample[] {
    this.#runHooks();
    return [...this.#metrics.values()].flatMap((m) => m.samples());
  }

  #runHooks(): void {
    // A failing hook must not take /metrics down with it: the other metrics are still worth scraping.
    for (const hook of this.#hooks) {
      try {
        hook();
      } catch {
        /* the hook's metric keeps its previous value */
      }
    }
  }

  #register<M extends AnyMetric>(metric: M): M {
    assertMetricName(metric.name);
    // A histogram also owns <name>_bucket/_sum/_count; no other metric may use those names.
    const names = (m: AnyMetric): string[] => (m.type === 'histogram' ? [m.name, ...histogramSeries(m.name)] : [m.name]);
    const mine = names(metric);
    const clash = [...this.#metrics.values()].find((m) => names(m).some((n) => mine.includes(n)))?.name;
    if (clash) throw new TypeError(`metric ${metric.name} clashes with the already declared ${clash}`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

function histogramSeries(name: string): string[] {
  return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
}
