/**
 * The wait before retry number `attempt` (1-based): exponential from
 * `initialMs`, capped at `maxMs`, and with `random` drawn from between half
 * and all of it, so retries side by side (and other instances) do not hit a
 * recovering server in step. Shared by the store writer's batch retries and
 * live mode's wait for its store at start-up.
 */
export function backoffDelay(attempt: number, options: { initialMs: number; maxMs: number; random?: () => number }): number {
  // The exponent is capped so that a long outage does not overflow to Infinity (which the cap would hide anyway).
  const full = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt - 1, 30));
  return options.random === undefined ? full : Math.round(full / 2 + options.random() * (full / 2));
}
