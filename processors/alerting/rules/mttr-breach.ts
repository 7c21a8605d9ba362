/**
 * mttr_breach (SPEC §4.6, seed KPI MTTR < 30 min), per env, judged on every
 * `mttr` snapshot of the env for the configured window (default 1h):
 *   - an open state incident has been open longer than `threshold` (SPEC
 *     §4.6: "open longer than 30 min"; the upstream MTTR processor publishes
 *     a snapshot at the first millisecond past it; one resolved at exactly 30
 *     min is no breach), or
 *   - the rolling mean recovery time is above `threshold`.
 * Resolves at the first snapshot of the env where neither holds, saying what
 * that snapshot holds (open incidents, rolling MTTR). The overall
 * scope ('*') is not alerted on: every breach belongs to some env.
 *
 * startsAt is when the breach began: the moment the oldest open incident
 * passed the threshold (asOf − (age − threshold) + 1 ms: the first millisecond
 * past it), or asOf for a mean breach.
 */
import { mttrWindows } from '../../../config/alerts-config.js';
import { ConfigError } from '../../../lib/errors.js';
import type { MttrSnapshot, OldestOpenIncident } from '../../facts.js';
import { duration, durationOver, timestamp } from '../format.js';
import type { AlertRule, RuleContext } from '../rule-context.js';

export function createMttrBreachRule(ctx: RuleContext): AlertRule {
  const threshold = ctx.config.threshold;
  const window = mttrWindows.get(ctx.config.windowMs ?? Number.NaN);
  if (threshold === undefined || window === undefined) {
    throw new ConfigError('rules.mttr_breach', 'threshold and a window of 1h, 24h or 7d are required');
  }

  return {
    kinds: ['mttr'],
    handle(fact) {
      if (fact.kind !== 'mttr') return;
      const oldestOpen = oldestByEnv(fact.oldestOpen);
      for (const snap of fact.snapshots) {
        if (snap.scope === '*' || snap.window !== window) continue;
        const labels = { env: snap.scope };
        const ageBreach = snap.openIncidents > 0 && snap.oldestOpenMs !== null && snap.oldestOpenMs > threshold;
        const meanBreach = snap.meanMs !== null && snap.meanMs > threshold;
        if (!ageBreach && !meanBreach) {
          // The resolution says what the env's MTTR is now: the last firing text described the breach.
          // Its target reads ≤: the threshold is strict, so a mean of exactly `threshold` resolves.
          const text = ctx.isFiring(labels)
            ? { summary: `MTTR in ${snap.scope} is back within target (≤ ${duration(threshold)})`, description: describe(snap, window, oldestOpen.get(snap.scope), 'Resolved in') }
            : undefined;
          ctx.clear(fact.at, labels, undefined, undefined, text);
          continue;
        }
        const startsAt = ageBreach ? snap.asOf - (snap.oldestOpenMs! - threshold) + 1 : snap.asOf;
        ctx.raise(fact.at, {
          labels,
          startsAt: Math.min(startsAt, fact.at),
          summary: ageBreach
            ? `MTTR breach in ${snap.scope}: a drift incident has been open for ${durationOver(snap.oldestOpenMs!, threshold)} (target < ${duration(threshold)})`
            : `MTTR breach in ${snap.scope}: rolling ${window} MTTR is ${durationOver(snap.meanMs!, threshold)} (target < ${duration(threshold)})`,
          description: describe(snap, window, oldestOpen.get(snap.scope)),
        });
      }
    },
  };
}

/**
 * The oldest open incident by env, looked up once per env: a search of the
 * list per breaching env made a snapshot of many breaching envs quadratic.
 * The first of an env wins, as `find` took it (the MTTR processor lists one per env).
 */
function oldestByEnv(oldestOpen: readonly OldestOpenIncident[] | undefined): Map<string, OldestOpenIncident> {
  const byEnv = new Map<string, OldestOpenIncident>();
  for (const o of oldestOpen ?? []) if (!byEnv.has(o.env)) byEnv.set(o.env, o);
  return byEnv;
}

/** `oldest`: the env's oldest open incident when it is past the threshold (named, so the page says what to look at). */
/** `lead`: "In" on a firing emission, "Resolved in" on the resolution. */
function describe(s: MttrSnapshot, window: string, oldest: OldestOpenIncident | undefined, lead = 'In'): string {
  const named = oldest === undefined ? '' : `: ${oldest.incidentId} (${oldest.artifact}, since ${timestamp(oldest.startedAt)})`;
  const open =
    s.openIncidents > 0 && s.oldestOpenMs !== null
      ? `${s.openIncidents} open drift incident(s), the oldest open for ${duration(s.oldestOpenMs)}${named}`
      : 'no open drift incidents';
  const mean =
    s.meanMs !== null
      ? `mean recovery time ${duration(s.meanMs)} over ${s.resolvedCount} incident(s) resolved in the last ${window}`
      : `no incident resolved in the last ${window}`;
  return `${lead} ${s.scope}: ${open}; ${mean}.`;
}
