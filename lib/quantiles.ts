/** Exact quantile (nearest-rank on a sorted copy); undefined for an empty list. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
