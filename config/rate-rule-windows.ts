/**
 * A rate rule's `window` must be a whole number of aggregation windows
 * (DRIFTWATCH_WINDOW): the rule judges, when a window closes at t, the closed
 * windows that ended in (t − window, t] (rate-rule.ts), so only a whole number
 * of them is the span `window` says. Shorter than one window, the rule's only
 * window leaves the span before the next one closes: a breach that never ends
 * fired at every close and resolved `window` later as "no longer measured".
 * Not a multiple (7m of 5m windows), it judged 10 min, then 5 min, by turns,
 * and its description said "in the last 7m" of either.
 *
 * The two values come from two places (alerts.yaml, the environment), so this
 * is checked where both are known, at start-up (cli/runtime.ts). A rule that
 * is off judges nothing: its window is not checked.
 */
import type { AlertsConfig } from './alert-rules.js';
import { ruleNames } from './alert-rules.js';
import { ruleParameters } from './alerts-validation.js';
import { ConfigError } from '../lib/errors.js';
import { durationText } from '../lib/time.js';

/**
 * Throws a ConfigError under `option` (where the rules came from: `--alerts`, `DRIFTWATCH_ALERTS_FILE`, or
 * `DRIFTWATCH_WINDOW` for the built-in defaults) naming `source` (the file), the entry and both values.
 */
export function checkRateRuleWindows(alerts: AlertsConfig, aggregationWindowMs: number, option: string, source: string): void {
  for (const rule of ruleNames) {
    const { enabled, windowMs } = alerts.rules[rule];
    if (ruleParameters[rule].window !== 'windows' || !enabled || windowMs === undefined) continue;
    if (windowMs % aggregationWindowMs === 0) continue;
    throw new ConfigError(
      option,
      `${source}: rules.${rule}.window: expected a whole number of DRIFTWATCH_WINDOW windows (${durationText(aggregationWindowMs)}), got ${durationText(windowMs)}` +
        ' (a rate rule judges the closed windows that ended within its window)',
    );
  }
}
