/**
 * Prometheus text exposition format 0.0.4: the escaping and number rules,
 * kept in one place so the registry cannot emit a line a scraper rejects.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`invalid metric name "${name}": use [a-zA-Z_:][a-zA-Z0-9_:]*`);
}

/** Label names starting with `__` are reserved for Prometheus itself. */
export function assertLabelName(metric: string, label: string): void {
  if (!LABEL_NAME.test(label) || label.startsWith('__')) {
    throw new TypeError(`invalid label name "${label}" on ${metric}: use [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"`);
  }
}

/** HELP text: backslash and line feed are escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Sample values as Go's ParseFloat reads them: NaN, +Inf, -Inf, or a plain JS number. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** `{a="x",b="y"}`, or '' when there are no labels. Pairs keep the given order. */
export function formatLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** One sample line: `name{labels} value`. */
export function sampleLine(name: string, pairs: ReadonlyArray<readonly [string, string]>, value: number): string {
  return `${name}${formatLabels(pairs)} ${formatValue(value)}`;
}
