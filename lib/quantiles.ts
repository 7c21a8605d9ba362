/**
 * The project's one quantile definition, nearest rank: the ⌈q·n⌉-th smallest
 * value (the smallest when q·n ≤ 1). The shipped SQL computes the same with
 * ClickHouse's quantileExactWeighted(q)(x, 1) — not quantileExact, which takes
 * the upper middle of an even count (sql/queries/README.md, Quantiles).
 */

/** Exact quantile (nearest-rank on a sorted copy); undefined for an empty list. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  return quantileOfSorted(sortedCopy(values), q);
}

/** An ascending copy, to take several quantiles of one list with one sort (`quantileOfSorted`). */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank quantile of an ascending list (as `quantile` computes it); undefined for an empty list. */
export function quantileOfSorted(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
