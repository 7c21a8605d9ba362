/**
 * The `promotion-window` row of one env's closed window (SPEC §5): its
 * counts, duration quantiles and per-gate rows, gates and success changes in
 * a stable order so equal input gives equal rows (with what the alert texts
 * name: the promotions decided, the slowest attempts, the failed gate runs).
 */
import type { GateWindowRow, PromotionWindowRow } from './promotion-facts.js';
import type { EnvWindow } from './promotion-window-counts.js';

export function promotionWindowRow(start: number, end: number, env: string, w: EnvWindow): PromotionWindowRow {
  const gates: GateWindowRow[] = [...w.gates.keys()].sort().map((gate) => {
    const g = w.gates.get(gate)!;
    const [p50, p90] = g.durations.quantiles([0.5, 0.9]);
    return {
      gate,
      passed: g.passed,
      failed: g.failed,
      durationP50Ms: p50 ?? null,
      durationP90Ms: p90 ?? null,
      failedRuns: g.failedRuns.map((r) => ({ ...r })),
    };
  });
  const durations = w.durations;
  const [p50, p90] = durations.quantiles([0.5, 0.9]);
  const unlistedRetries = w.decided.unlistedRetries;
  return {
    windowStart: start,
    windowEnd: end,
    env,
    started: w.started,
    succeeded: w.succeeded,
    failed: w.failed,
    rolledBack: w.rolledBack,
    rolledBackAfterSuccess: w.rolledBackAfterSuccess,
    promotionsEnded: w.promotionsEnded,
    endedSucceeded: w.endedSucceeded,
    successChanges: [...w.successChanges].sort(([a], [b]) => a - b).map(([windowEnd, delta]) => ({ windowEnd, delta })),
    durationCount: durations.count,
    durationSumMs: durations.sum,
    durationP50Ms: p50 ?? null,
    durationP90Ms: p90 ?? null,
    durationMaxMs: durations.max ?? null,
    snapshotsVerified: w.snapshotsVerified,
    snapshotsUnverified: w.snapshotsUnverified,
    gates,
    decided: [...w.decided.values()].sort((a, b) => (a.promotionId < b.promotionId ? -1 : a.promotionId > b.promotionId ? 1 : 0)).map((d) => ({ ...d })),
    ...(unlistedRetries.length > 0 ? { unlistedRetries } : {}),
    slowest: w.slowest.map((a) => ({ ...a })),
  };
}
