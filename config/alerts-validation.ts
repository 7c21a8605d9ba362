/**
 * Validation of alerts.yaml documents (config/alerts-config.ts parses the
 * YAML). Collects every problem, each with the path of the bad entry, and
 * rejects unknown rules and keys (with a "did you mean" hint for typos:
 * config-problems.ts).
 */
import { DAY, HOUR, parseDuration } from '../lib/time.js';
import { severities, type Severity } from '../schemas/alert-event.js';
import {
  ruleNames,
  type AlertsConfig,
  type EscalationLevel,
  type RuleConfig,
  type RuleName,
  type SeverityOverride,
  type SeverityRoute,
} from './alert-rules.js';
import { asMap, checkKeys, describe, Problems } from './config-problems.js';

export interface RuleParameters {
  /** A ratio in [0, 1] or a duration string. */
  threshold?: 'ratio' | 'duration';
  /**
   * Any positive duration; one of the rolling MTTR windows (1h, 24h, 7d); or, for a rate rule, a duration that is
   * also a whole number of aggregation windows (DRIFTWATCH_WINDOW: checked at start-up, rate-rule-windows.ts).
   */
  window?: 'any' | 'mttr' | 'windows';
  minSamples?: true;
}

/** The tunables each rule takes; any other key on a rule is rejected. All listed ones are required after merging. */
export const ruleParameters: Record<RuleName, RuleParameters> = {
  drift_detected: {},
  mttr_breach: { threshold: 'duration', window: 'mttr' },
  promotion_success_rate_low: { threshold: 'ratio', window: 'windows', minSamples: true },
  promotion_duration_high: { threshold: 'duration', window: 'windows', minSamples: true },
  gate_failure_rate_high: { threshold: 'ratio', window: 'windows', minSamples: true },
  snapshot_not_verified: { window: 'any' },
  rollback_failed: {},
  hydration_nondeterminism: {},
  index_error_rate_high: { threshold: 'ratio', window: 'windows', minSamples: true },
};

/** The labels each rule's alerts carry: what an override may match (a typo must not silently never match). */
export const ruleLabels: Record<RuleName, readonly string[]> = {
  drift_detected: ['env', 'artifact'],
  mttr_breach: ['env'],
  promotion_success_rate_low: ['env'],
  promotion_duration_high: ['env'],
  gate_failure_rate_high: ['env', 'gate'],
  snapshot_not_verified: ['env', 'artifact'],
  rollback_failed: ['env', 'artifact'],
  hydration_nondeterminism: ['env', 'artifact', 'ruleId'],
  index_error_rate_high: ['env'],
};

/** Windows the MTTR processor publishes snapshots for, by length in ms. */
export const mttrWindows: ReadonlyMap<number, '1h' | '24h' | '7d'> = new Map([
  [HOUR, '1h'],
  [DAY, '24h'],
  [7 * DAY, '7d'],
]);

const commonRuleKeys = ['enabled', 'severity', 'overrides', 'summary', 'runbookUrl'] as const;

/**
 * Upper bounds of the numbers in alerts.yaml. Values past them are typos (a
 * unit slip, an extra zero), and unbounded ones (99999999999999999999999d,
 * 1e300) used to be accepted and then break window arithmetic or make a rule
 * silently never fire.
 */
export const alertLimits = {
  /** Duration thresholds (mttr_breach, promotion_duration_high): an open incident or a promotion lasting a year is long past alerting. */
  thresholdMs: 365 * DAY,
  /**
   * Rolling window of a rate rule: the rule keeps every closed 5-minute window
   * inside it per label set (30 d = 8,640 of them), and a rate over more than
   * a month no longer says anything about the current state. Also how long
   * snapshot_not_verified waits for a key's next snapshot.
   */
  windowMs: 30 * DAY,
  /** minSamples: more samples than any window can plausibly hold would make the rule never fire. */
  minSamples: 1_000_000,
  /** Escalation `after`: an alert firing for a year has escalated as far as it will. */
  escalationAfterMs: 365 * DAY,
  /** A severity's response target: a year is no target. */
  respondWithinMs: 365 * DAY,
} as const;

/** Validates a parsed alerts.yaml document and merges it over `base` (complete-file mode when `base` is undefined). */
export function validateAlertsDocument(doc: unknown, source: string, base: AlertsConfig | undefined): AlertsConfig {
  const problems = new Problems();
  const top = asMap(doc ?? {}, '', problems, 'a map with `escalation` and `rules`') ?? {};
  checkKeys(top, ['escalation', 'routing', 'rules'], '', problems);
  const escalation = top.escalation === undefined ? base?.escalation : readEscalation(top.escalation, problems);
  if (!escalation && top.escalation === undefined) problems.add('escalation', 'missing (required)');
  const routing = readRouting(top.routing, base?.routing, problems);
  const rawRules = top.rules === undefined || top.rules === null ? {} : asMap(top.rules, 'rules', problems) ?? {};
  checkKeys(rawRules, ruleNames, 'rules', problems, 'rule');
  const rules = {} as Record<RuleName, RuleConfig>;
  for (const name of ruleNames) {
    const rule = readRule(name, rawRules[name], base?.rules[name], problems);
    if (rule) rules[name] = rule;
  }
  problems.throwIfAny(source);
  return { escalation: escalation!, routing: routing!, rules };
}

function readRule(name: RuleName, raw: unknown, base: RuleConfig | undefined, p: Problems): RuleConfig | undefined {
  const path = `rules.${name}`;
  if (raw === undefined && !base) return p.add(path, 'missing (required)');
  const map = raw === undefined || raw === null ? {} : asMap(raw, path, p);
  if (!map) return undefined;
  const params = ruleParameters[name];
  checkKeys(map, [...commonRuleKeys, ...Object.keys(params)], path, p);
  const rule: RuleConfig = { enabled: true, overrides: [], ...base } as RuleConfig;
  const at = (key: string) => `${path}.${key}`;
  if (map.enabled !== undefined) {
    if (typeof map.enabled === 'boolean') rule.enabled = map.enabled;
    else p.add(at('enabled'), `expected true or false, got ${describe(map.enabled)}`);
  }
  if (map.severity !== undefined) rule.severity = readSeverity(map.severity, at('severity'), p) ?? rule.severity;
  if (map.overrides !== undefined) rule.overrides = readOverrides(map.overrides, at('overrides'), ruleLabels[name], p);
  for (const key of ['summary', 'runbookUrl'] as const) {
    if (map[key] === undefined) continue;
    if (typeof map[key] === 'string' && map[key].trim() !== '') rule[key] = checkPlaceholders(map[key], ruleLabels[name], at(key), p);
    else p.add(at(key), `expected a non-empty string, got ${describe(map[key])}`);
  }
  if (params.threshold && map.threshold !== undefined) {
    rule.threshold =
      params.threshold === 'ratio'
        ? readRatio(map.threshold, at('threshold'), p)
        : readDuration(map.threshold, at('threshold'), p, false, alertLimits.thresholdMs);
  }
  if (params.window && map.window !== undefined) {
    const ms = readDuration(map.window, at('window'), p, false, params.window === 'mttr' ? Number.MAX_VALUE : alertLimits.windowMs);
    if (ms !== undefined && params.window === 'mttr' && !mttrWindows.has(ms)) {
      p.add(at('window'), `expected one of the rolling MTTR windows 1h, 24h, 7d, got ${describe(map.window)}`);
    } else rule.windowMs = ms;
  }
  if (params.minSamples && map.minSamples !== undefined) {
    const n = map.minSamples;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= alertLimits.minSamples) rule.minSamples = n;
    else if (typeof n === 'number' && Number.isInteger(n) && n >= 1) p.add(at('minSamples'), `expected a whole number from 1 to ${alertLimits.minSamples}, got ${describe(n)}`);
    else p.add(at('minSamples'), `expected a whole number of at least 1, got ${describe(n)}`);
  }
  if (rule.severity === undefined) p.add(at('severity'), 'missing (required)');
  if (params.threshold && rule.threshold === undefined && map.threshold === undefined) p.add(at('threshold'), 'missing (required)');
  if (params.window && rule.windowMs === undefined && map.window === undefined) p.add(at('window'), 'missing (required)');
  if (params.minSamples && rule.minSamples === undefined && map.minSamples === undefined) p.add(at('minSamples'), 'missing (required)');
  return rule;
}

/**
 * `template` when each `{word}` in it is a label of the rule: the alert fills in only those (rule-context.ts
 * fillTemplate, the same pattern) and leaves any other as written, so a typo would reach every alert as text.
 */
function checkPlaceholders(template: string, labels: readonly string[], path: string, p: Problems): string | undefined {
  const unknown = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((word) => !labels.includes(word));
  if (unknown.length === 0) return template;
  const carried = labels.map((l) => `{${l}}`).join(', ');
  return p.add(path, `unknown placeholder ${unknown.map((w) => `{${w}}`).join(', ')}; this rule's alerts carry ${carried}`);
}

function readOverrides(raw: unknown, path: string, labels: readonly string[], p: Problems): SeverityOverride[] {
  if (!Array.isArray(raw)) return p.add(path, `expected a list of overrides, got ${describe(raw)}`) ?? [];
  const out: SeverityOverride[] = [];
  raw.forEach((item, i) => {
    const here = `${path}[${i}]`;
    const map = asMap(item, here, p);
    if (!map) return;
    checkKeys(map, ['match', 'severity', 'minSeverity'], here, p);
    const match: Record<string, string> = {};
    const rawMatch = asMap(map.match, `${here}.match`, p, 'a map of label: glob pattern');
    if (rawMatch && Object.keys(rawMatch).length === 0) p.add(`${here}.match`, 'expected at least one label pattern');
    if (rawMatch) checkKeys(rawMatch, labels, `${here}.match`, p, 'label of this rule\'s alerts');
    for (const [label, pattern] of Object.entries(rawMatch ?? {})) {
      if (typeof pattern === 'string') match[label] = pattern;
      else p.add(`${here}.match.${label}`, `expected a glob pattern string such as "prod*", got ${describe(pattern)}`);
    }
    if ((map.severity === undefined) === (map.minSeverity === undefined)) {
      p.add(here, 'expected exactly one of `severity` (sets) or `minSeverity` (raises to at least)');
    }
    const override: SeverityOverride = { match };
    if (map.severity !== undefined) override.severity = readSeverity(map.severity, `${here}.severity`, p);
    if (map.minSeverity !== undefined) override.minSeverity = readSeverity(map.minSeverity, `${here}.minSeverity`, p);
    out.push(override);
  });
  return out;
}

function readEscalation(raw: unknown, p: Problems): EscalationLevel[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 4) {
    return p.add('escalation', `expected a list of 1 to 4 levels, got ${describe(raw)}`);
  }
  const levels: EscalationLevel[] = [];
  raw.forEach((item, i) => {
    const here = `escalation[${i}]`;
    const map = asMap(item, here, p);
    if (!map) return;
    checkKeys(map, ['level', 'after', 'notify'], here, p);
    if (map.level !== i + 1) p.add(`${here}.level`, `expected ${i + 1} (levels are numbered 1, 2, ... in order), got ${describe(map.level)}`);
    const afterMs = readDuration(map.after, `${here}.after`, p, true, alertLimits.escalationAfterMs);
    const previous = levels[i - 1]?.afterMs;
    if (afterMs !== undefined && i === 0 && afterMs !== 0) p.add(`${here}.after`, `expected 0m (level 1 starts when the alert fires), got ${describe(map.after)}`);
    if (afterMs !== undefined && previous !== undefined && afterMs <= previous) {
      p.add(`${here}.after`, `expected a duration longer than level ${i}'s, got ${describe(map.after)}`);
    }
    levels.push({ level: (i + 1) as EscalationLevel['level'], afterMs: afterMs ?? Number.NaN, notify: readNames(map.notify, `${here}.notify`, p) ?? [] });
  });
  return levels;
}

/** A `notify` list (people or teams); absent is none, anything but a list of names a problem (undefined). */
function readNames(raw: unknown, path: string, p: Problems): string[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw) && raw.every((n) => typeof n === 'string')) return checkNames(raw, path, p);
  p.add(path, `expected a list of names, got ${describe(raw)}`);
  return undefined;
}

/**
 * Each name of a `notify` or `channels` list, trimmed; undefined when one is blank or holds a comma. An alert
 * event carries the list joined with ", " (routing-annotations.ts): a blank name left a dangling ", " and a
 * comma inside one ("Smith, John") reads as two names to the consumer that splits it.
 */
function checkNames(names: readonly string[], path: string, p: Problems): string[] | undefined {
  let ok = true;
  names.forEach((name, i) => {
    if (name.trim() === '') ok = p.add(`${path}[${i}]`, `expected a name, got ${describe(name)}`) ?? false;
    else if (name.includes(',')) ok = p.add(`${path}[${i}]`, `expected a name without "," (the alert event lists names joined by ", "), got ${describe(name)}`) ?? false;
  });
  return ok ? names.map((n) => n.trim()) : undefined;
}

/**
 * `routing`: per severity, `channels` (a list of names), `respondWithin`
 * (a duration) and `notify` (who the severity escalates to; optional, none
 * by default). A severity or key left out keeps `base`'s; without a base
 * (the built-in file) every severity needs channels and respondWithin.
 */
function readRouting(raw: unknown, base: AlertsConfig['routing'] | undefined, p: Problems): AlertsConfig['routing'] | undefined {
  const map = raw === undefined || raw === null ? {} : asMap(raw, 'routing', p);
  if (!map) return undefined;
  checkKeys(map, severities, 'routing', p, 'severity');
  const routing = {} as AlertsConfig['routing'];
  for (const severity of severities) {
    const here = `routing.${severity}`;
    const given = map[severity] === undefined || map[severity] === null ? {} : asMap(map[severity], here, p);
    if (!given) continue;
    checkKeys(given, ['channels', 'respondWithin', 'notify'], here, p);
    const route: Partial<SeverityRoute> = { notify: [], ...base?.[severity] };
    if (given.notify !== undefined) route.notify = readNames(given.notify, `${here}.notify`, p);
    if (given.channels !== undefined) {
      if (Array.isArray(given.channels) && given.channels.every((c) => typeof c === 'string' && c !== '')) route.channels = checkNames(given.channels, `${here}.channels`, p);
      else p.add(`${here}.channels`, `expected a list of channel names such as [slack, email], got ${describe(given.channels)}`);
    }
    if (given.respondWithin !== undefined) route.respondWithinMs = readDuration(given.respondWithin, `${here}.respondWithin`, p, false, alertLimits.respondWithinMs);
    if (route.channels === undefined && given.channels === undefined) p.add(`${here}.channels`, 'missing (required)');
    if (route.respondWithinMs === undefined && given.respondWithin === undefined) p.add(`${here}.respondWithin`, 'missing (required)');
    routing[severity] = route as SeverityRoute;
  }
  return routing;
}

function readSeverity(raw: unknown, path: string, p: Problems): Severity | undefined {
  if (typeof raw === 'string' && (severities as readonly string[]).includes(raw)) return raw as Severity;
  return p.add(path, `expected one of ${severities.join(', ')}, got ${describe(raw)}`);
}

function readRatio(raw: unknown, path: string, p: Problems): number | undefined {
  if (typeof raw === 'number' && raw >= 0 && raw <= 1) return raw;
  return p.add(path, `expected a number between 0 and 1, got ${describe(raw)}`);
}

/** A duration string in ms, above zero unless `allowZero`, at most `maxMs` (finite: Infinity and 1e23 ms are rejected). */
function readDuration(raw: unknown, path: string, p: Problems, allowZero: boolean, maxMs: number): number | undefined {
  const ms = typeof raw === 'string' ? parseDuration(raw) : Number.NaN;
  if (Number.isFinite(ms) && (allowZero || ms > 0) && ms <= maxMs) return ms;
  const most = `${Math.round(maxMs / DAY)}d`;
  if (!Number.isNaN(ms) && (allowZero || ms > 0)) return p.add(path, `expected a duration of at most ${most}, got ${describe(raw)}`);
  const hint = allowZero ? 'a duration such as 0m, 30s, 5m, 1h' : 'a positive duration such as 30s, 5m, 1h, 7d';
  return p.add(path, `expected ${hint}, got ${describe(raw)}`);
}
