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
export function checkRateRuleWindows(alerts: AlertsConfig, aggregationWindowMs: number, option: string, source: string, builtIn = false): void {
  for (const rule of ruleNames) {
    const { windowMs } = alerts.rules[rule];
    if (!judgesWindows(alerts, rule) || windowMs === undefined) continue;
    if (windowMs % aggregationWindowMs === 0) continue;
    throw new ConfigError(
      option,
      `${source}: rules.${rule}.window: expected a whole number of DRIFTWATCH_WINDOW windows (${durationText(aggregationWindowMs)}), got ${durationText(windowMs)}` +
        ' (a rate rule judges the closed windows that ended within its window)' +
        (builtIn ? builtInRemedy(alerts) : ''),
    );
  }
}

const judgesWindows = (alerts: AlertsConfig, rule: (typeof ruleNames)[number]) => ruleParameters[rule].window === 'windows' && alerts.rules[rule].enabled;

/**
 * With no alerts file, what to change is not obvious: the built-in windows (1h, and index_error_rate_high's 5m) are
 * not settable from the environment, so a longer DRIFTWATCH_WINDOW (10m, 15m) needs a file. Says so, with the
 * largest DRIFTWATCH_WINDOW the built-in rules accept (the greatest common divisor of their windows).
 */
function builtInRemedy(alerts: AlertsConfig): string {
  let divisor = 0;
  for (const rule of ruleNames) if (judgesWindows(alerts, rule)) divisor = gcd(divisor, alerts.rules[rule].windowMs ?? 0);
  return (
    `; with the built-in rules DRIFTWATCH_WINDOW must divide ${durationText(divisor)}; ` +
    'for longer windows give an alerts file (DRIFTWATCH_ALERTS_FILE) whose rate rule windows are whole numbers of it'
  );
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
