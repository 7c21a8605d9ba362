import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createSeverityClassifier,
  defaultAlertsConfig,
  globMatch,
  loadAlertsConfig,
  parseAlertsConfig,
} from '../../../config/alerts-config.js';
import { ConfigError } from '../../../lib/errors.js';
import { configErrorOf } from '../../helpers/config-error.js';

const MIN = 60_000;

const errorOf = (text: string, source = 'alerts.yaml'): ConfigError => configErrorOf(() => parseAlertsConfig(text, source));

describe('alerts config: defaults', () => {
  it('loads the built-in defaults from the seed KPIs and escalation matrix', () => {
    const c = loadAlertsConfig();
    expect(c.escalation.map((l) => [l.level, l.afterMs, l.notify])).toEqual([
      [1, 0, ['On-Call Engineer']],
      [2, 5 * MIN, ['Senior Engineer']],
      [3, 15 * MIN, ['Engineering Manager']],
      [4, 30 * MIN, ['Director of Engineering']],
    ]);
    const r = c.rules;
    expect(r.drift_detected).toEqual({ enabled: true, severity: 'medium', overrides: [{ match: { env: 'prod*' }, minSeverity: 'high' }] });
    expect(r.mttr_breach).toMatchObject({ severity: 'high', threshold: 30 * MIN, windowMs: 60 * MIN });
    expect(r.promotion_success_rate_low).toMatchObject({ severity: 'high', threshold: 0.95, windowMs: 60 * MIN, minSamples: 20 });
    expect(r.promotion_duration_high).toMatchObject({ severity: 'medium', threshold: 5 * MIN, windowMs: 60 * MIN, minSamples: 1 });
    expect(r.gate_failure_rate_high).toMatchObject({ severity: 'medium', threshold: 0.05, windowMs: 60 * MIN, minSamples: 20 });
    expect(r.snapshot_not_verified).toMatchObject({ severity: 'high', windowMs: 24 * 60 * MIN });
    expect(r.rollback_failed.severity).toBe('critical');
    expect(r.hydration_nondeterminism.severity).toBe('high');
    expect(r.index_error_rate_high).toMatchObject({ severity: 'medium', threshold: 0.05, windowMs: 5 * MIN, minSamples: 20 });
    expect(Object.values(r).every((rule) => rule.enabled)).toBe(true);
  });

  it('returns a fresh copy each time', () => {
    const a = defaultAlertsConfig();
    a.rules.drift_detected.severity = 'low';
    expect(defaultAlertsConfig().rules.drift_detected.severity).toBe('medium');
  });

  it('the repo-root example alerts.yaml is the defaults file verbatim', () => {
    const root = new URL('../../../alerts.yaml', import.meta.url);
    const defaults = new URL('../../../config/alerts.default.yaml', import.meta.url);
    expect(readFileSync(root, 'utf8')).toBe(readFileSync(defaults, 'utf8'));
    expect(loadAlertsConfig(root.pathname)).toEqual(loadAlertsConfig());
  });

  it('routes each severity as the seed does by default: channels, response target and who it escalates to', () => {
    // Seed alert categories: critical "immediate escalation to on-call engineers", high "escalation to senior
    // engineers", medium "escalation to platform team", low "team awareness" (no one in particular).
    expect(defaultAlertsConfig().routing).toEqual({
      critical: { channels: ['pagerduty', 'slack', 'email'], respondWithinMs: 5 * MIN, notify: ['On-Call Engineer'] },
      high: { channels: ['slack', 'email'], respondWithinMs: 30 * MIN, notify: ['Senior Engineer'] },
      medium: { channels: ['slack'], respondWithinMs: 120 * MIN, notify: ['Platform Team'] },
      low: { channels: ['email'], respondWithinMs: 24 * 60 * MIN, notify: [] },
    });
  });

  it('merges routing per severity and key: what a file leaves out keeps the default', () => {
    const c = parseAlertsConfig(['routing:', '  low:', '    channels: [teams]', '  critical:', '    respondWithin: 1m', '  medium:', '    notify: [SRE Team, Platform Team]'].join('\n'), 'alerts.yaml');
    expect(c.routing.low).toEqual({ channels: ['teams'], respondWithinMs: 24 * 60 * MIN, notify: [] });
    expect(c.routing.critical).toEqual({ channels: ['pagerduty', 'slack', 'email'], respondWithinMs: MIN, notify: ['On-Call Engineer'] });
    expect(c.routing.medium).toEqual({ channels: ['slack'], respondWithinMs: 120 * MIN, notify: ['SRE Team', 'Platform Team'] });
    expect(c.routing.high).toEqual(defaultAlertsConfig().routing.high);
  });

  it('rejects bad routing, naming the entry', () => {
    expect(errorOf('routing:\n  hihg:\n    channels: [slack]\n').message).toMatch(/^alerts\.yaml: routing\.hihg: unknown severity; did you mean "high"\?/);
    expect(errorOf('routing:\n  high:\n    channels: slack\n').message).toBe(
      'alerts.yaml: routing.high.channels: expected a list of channel names such as [slack, email], got "slack"',
    );
    expect(errorOf('routing:\n  high:\n    respondWithin: soon\n').message).toMatch(/^alerts\.yaml: routing\.high\.respondWithin: expected a positive duration/);
    expect(errorOf('routing:\n  high:\n    notify: Senior Engineer\n').message).toBe(
      'alerts.yaml: routing.high.notify: expected a list of names, got "Senior Engineer"',
    );
    expect(errorOf('routing:\n  high:\n    respondWithn: 5m\n').message).toMatch(/^alerts\.yaml: routing\.high\.respondWithn: unknown key; did you mean "respondWithin"\?/);
  });

  it('merges a partial file over the defaults', () => {
    const c = parseAlertsConfig(
      ['rules:', '  gate_failure_rate_high:', '    threshold: 0.1', '  rollback_failed:', '    enabled: false'].join('\n'),
      'alerts.yaml',
    );
    expect(c.rules.gate_failure_rate_high).toMatchObject({ threshold: 0.1, windowMs: 60 * MIN, minSamples: 20, severity: 'medium' });
    expect(c.rules.rollback_failed).toMatchObject({ enabled: false, severity: 'critical' });
    expect(c.escalation).toEqual(defaultAlertsConfig().escalation);
    expect(c.rules.drift_detected).toEqual(defaultAlertsConfig().rules.drift_detected);
  });

  it('accepts an empty file and a rule given with no keys', () => {
    expect(parseAlertsConfig('', 'alerts.yaml')).toEqual(defaultAlertsConfig());
    expect(parseAlertsConfig('rules:\n  drift_detected:\n', 'alerts.yaml')).toEqual(defaultAlertsConfig());
  });

  it('replaces the escalation list and the overrides list as a whole', () => {
    const c = parseAlertsConfig(
      [
        'escalation:',
        '  - { level: 1, after: 0m, notify: [oncall] }',
        '  - { level: 2, after: 10m }',
        'rules:',
        '  drift_detected:',
        '    overrides:',
        '      - match: { env: "qa-*", artifact: "db" }',
        '        severity: low',
      ].join('\n'),
      'alerts.yaml',
    );
    expect(c.escalation).toEqual([
      { level: 1, afterMs: 0, notify: ['oncall'] },
      { level: 2, afterMs: 10 * MIN, notify: [] },
    ]);
    expect(c.rules.drift_detected.overrides).toEqual([{ match: { env: 'qa-*', artifact: 'db' }, severity: 'low' }]);
  });

  it('reads a file from a path, and names the path when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-alerts-'));
    const file = join(dir, 'alerts.yaml');
    writeFileSync(file, 'rules:\n  mttr_breach:\n    threshold: 20m\n');
    expect(loadAlertsConfig(file).rules.mttr_breach.threshold).toBe(20 * MIN);
    writeFileSync(file, 'rules:\n  mttr_breach:\n    threshold: 20\n');
    expect(() => loadAlertsConfig(file)).toThrow(`${file}: rules.mttr_breach.threshold: expected a positive duration`);
    expect(() => loadAlertsConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read the alerts file/);
  });
});

describe('alerts config: errors name the path', () => {
  it('threshold out of range', () => {
    const e = errorOf('rules:\n  gate_failure_rate_high:\n    threshold: 5\n');
    expect(e.message).toBe('alerts.yaml: rules.gate_failure_rate_high.threshold: expected a number between 0 and 1, got 5');
    expect(e.code).toBe('DW_CONFIG_INVALID');
    expect(e.option).toBe('alerts.yaml: rules.gate_failure_rate_high.threshold');
  });

  it('bad duration', () => {
    expect(errorOf('rules:\n  mttr_breach:\n    threshold: 30 minutes\n').message).toBe(
      'alerts.yaml: rules.mttr_breach.threshold: expected a positive duration such as 30s, 5m, 1h, 7d, got "30 minutes"',
    );
    expect(errorOf('rules:\n  promotion_success_rate_low:\n    window: 0s\n').message).toMatch(
      /^alerts\.yaml: rules\.promotion_success_rate_low\.window: expected a positive duration .* got "0s"$/,
    );
    expect(errorOf('rules:\n  snapshot_not_verified:\n    window: 0s\n').message).toMatch(
      /^alerts\.yaml: rules\.snapshot_not_verified\.window: expected a positive duration .* got "0s"$/,
    );
    expect(errorOf('escalation:\n  - { level: 1, after: soon }\n').message).toMatch(/^alerts\.yaml: escalation\[0\]\.after: expected a duration/);
  });

  it('mttr window must be one of the rolling MTTR windows', () => {
    expect(errorOf('rules:\n  mttr_breach:\n    window: 2h\n').message).toBe(
      'alerts.yaml: rules.mttr_breach.window: expected one of the rolling MTTR windows 1h, 24h, 7d, got "2h"',
    );
    expect(parseAlertsConfig('rules:\n  mttr_breach:\n    window: 24h\n', 'a.yaml').rules.mttr_breach.windowMs).toBe(24 * 60 * MIN);
  });

  it('unknown rule, with a suggestion for a typo', () => {
    expect(errorOf('rules:\n  drift_detcted:\n    severity: high\n').message).toMatch(
      /^alerts\.yaml: rules\.drift_detcted: unknown rule; did you mean "drift_detected"\? \(expected one of drift_detected, mttr_breach, /,
    );
    expect(errorOf('rules:\n  cpu_high: {}\n').message).toMatch(/^alerts\.yaml: rules\.cpu_high: unknown rule; \(expected one of/);
  });

  it('unknown keys, including parameters a rule does not take', () => {
    expect(errorOf('rules:\n  gate_failure_rate_high:\n    thresold: 0.1\n').message).toMatch(
      /^alerts\.yaml: rules\.gate_failure_rate_high\.thresold: unknown key; did you mean "threshold"\?/,
    );
    expect(errorOf('rules:\n  drift_detected:\n    threshold: 0.1\n').message).toMatch(
      /^alerts\.yaml: rules\.drift_detected\.threshold: unknown key; \(expected one of enabled, severity, overrides, summary, runbookUrl\)$/,
    );
    expect(errorOf('rule:\n  drift_detected: {}\n').message).toMatch(/^alerts\.yaml: rule: unknown key; did you mean "rules"\?/);
    expect(errorOf('escalation:\n  - { level: 1, after: 0m, notfy: [x] }\n').message).toMatch(
      /^alerts\.yaml: escalation\[0\]\.notfy: unknown key; did you mean "notify"\?/,
    );
  });

  it('bad severity, in a rule and in an override', () => {
    expect(errorOf('rules:\n  drift_detected:\n    severity: urgent\n').message).toBe(
      'alerts.yaml: rules.drift_detected.severity: expected one of critical, high, medium, low, got "urgent"',
    );
    expect(
      errorOf('rules:\n  drift_detected:\n    overrides:\n      - match: { env: prod }\n        minSeverity: HIGH\n').message,
    ).toBe('alerts.yaml: rules.drift_detected.overrides[0].minSeverity: expected one of critical, high, medium, low, got "HIGH"');
  });

  it('override shape: exactly one action, string patterns, non-empty match', () => {
    expect(errorOf('rules:\n  drift_detected:\n    overrides:\n      - match: { env: prod }\n').message).toBe(
      'alerts.yaml: rules.drift_detected.overrides[0]: expected exactly one of `severity` (sets) or `minSeverity` (raises to at least)',
    );
    expect(errorOf('rules:\n  drift_detected:\n    overrides:\n      - match: { env: 1 }\n        severity: low\n').message).toMatch(
      /^alerts\.yaml: rules\.drift_detected\.overrides\[0\]\.match\.env: expected a glob pattern string/,
    );
    expect(errorOf('rules:\n  drift_detected:\n    overrides:\n      - match: {}\n        severity: low\n').message).toBe(
      'alerts.yaml: rules.drift_detected.overrides[0].match: expected at least one label pattern',
    );
  });

  it('other value errors: minSamples, enabled, escalation order', () => {
    expect(errorOf('rules:\n  gate_failure_rate_high:\n    minSamples: 2.5\n').message).toBe(
      'alerts.yaml: rules.gate_failure_rate_high.minSamples: expected a whole number of at least 1, got 2.5',
    );
    expect(errorOf('rules:\n  drift_detected:\n    enabled: "no"\n').message).toBe(
      'alerts.yaml: rules.drift_detected.enabled: expected true or false, got "no"',
    );
    expect(errorOf('escalation:\n  - { level: 1, after: 1m }\n').message).toBe(
      'alerts.yaml: escalation[0].after: expected 0m (level 1 starts when the alert fires), got "1m"',
    );
    expect(errorOf('escalation:\n  - { level: 1, after: 0m }\n  - { level: 2, after: 0s }\n').message).toBe(
      "alerts.yaml: escalation[1].after: expected a duration longer than level 1's, got \"0s\"",
    );
    expect(errorOf('escalation:\n  - { level: 2, after: 0m }\n').message).toMatch(/^alerts\.yaml: escalation\[0\]\.level: expected 1/);
  });

  it('reports every problem, one per line, and rejects non-YAML', () => {
    const e = errorOf('rules:\n  mttr_breach:\n    threshold: 5\n  gate_failure_rate_high:\n    threshold: 2\n');
    expect(e.message.split('\n')).toEqual([
      'alerts.yaml: rules.mttr_breach.threshold: expected a positive duration such as 30s, 5m, 1h, 7d, got 5',
      'alerts.yaml: rules.gate_failure_rate_high.threshold: expected a number between 0 and 1, got 2',
    ]);
    expect(errorOf('rules: [unclosed\n').message).toMatch(/^alerts\.yaml: not valid YAML: /);
    expect(errorOf('- just\n- a list\n').message).toBe('alerts.yaml: expected a map with `escalation` and `rules`, got a list of 2');
  });
});

describe('severity classifier', () => {
  const classify = (yaml: string) => createSeverityClassifier(parseAlertsConfig(yaml, 'alerts.yaml'));

  it('default: state drift in production is at least high, elsewhere medium', () => {
    const c = createSeverityClassifier(defaultAlertsConfig());
    expect(c('drift_detected', { env: 'prod', artifact: 'web' })).toBe('high');
    expect(c('drift_detected', { env: 'production-eu', artifact: 'web' })).toBe('high');
    expect(c('drift_detected', { env: 'staging', artifact: 'web' })).toBe('medium');
    expect(c('drift_detected', { env: 'preprod', artifact: 'web' })).toBe('medium');
    expect(c('rollback_failed', { env: 'prod', artifact: 'web' })).toBe('critical');
  });

  it('minSeverity only raises; severity sets, even downwards; overrides apply in order', () => {
    const c = classify(
      [
        'rules:',
        '  rollback_failed:',
        '    overrides:',
        '      - { match: { env: "prod*" }, minSeverity: high }', // critical stays critical
        '  drift_detected:',
        '    overrides:',
        '      - { match: { env: "*" }, minSeverity: high }',
        '      - { match: { env: "sandbox-*" }, severity: low }',
        '      - { match: { env: "sandbox-*", artifact: "billing" }, minSeverity: medium }',
      ].join('\n'),
    );
    expect(c('rollback_failed', { env: 'prod', artifact: 'web' })).toBe('critical');
    expect(c('drift_detected', { env: 'staging', artifact: 'web' })).toBe('high');
    expect(c('drift_detected', { env: 'sandbox-1', artifact: 'web' })).toBe('low');
    expect(c('drift_detected', { env: 'sandbox-1', artifact: 'billing' })).toBe('medium');
  });

  it('a pattern on a label the alert does not carry never matches (in a config built in code; a file is refused, below)', () => {
    const config = defaultAlertsConfig();
    config.rules.mttr_breach.overrides = [{ match: { artifact: '*' }, severity: 'low' }];
    expect(createSeverityClassifier(config)('mttr_breach', { env: 'prod' })).toBe('high');
  });

  it.each([
    ['drift_detected', 'enviroment', 'unknown label of this rule\'s alerts; (expected one of env, artifact)'],
    ['rollback_failed', 'artefact', 'unknown label of this rule\'s alerts; did you mean "artifact"? (expected one of env, artifact)'],
    ['mttr_breach', 'artifact', 'unknown label of this rule\'s alerts; (expected one of env)'],
  ])('alerts.yaml: %s override matching %s, a label its alerts do not carry, is an error', (rule, label, message) => {
    const yaml = `rules:\n  ${rule}:\n    overrides:\n      - { match: { ${label}: "x" }, severity: low }\n`;
    expect(errorOf(yaml).message).toBe(`alerts.yaml: rules.${rule}.overrides[0].match.${label}: ${message}`);
  });

  it('glob: * matches any run, everything else is literal, whole string, case-sensitive', () => {
    expect(globMatch('prod*', 'prod')).toBe(true);
    // Label values are matched as they are (labels carry them exactly): an env named PROD needs a pattern of its own.
    expect(globMatch('prod*', 'Prod')).toBe(false);
    expect(globMatch('prod*', 'PRODUCTION')).toBe(false);
    expect(globMatch('prod*', 'production')).toBe(true);
    expect(globMatch('prod*', 'preprod')).toBe(false);
    expect(globMatch('*-eu-*', 'prod-eu-1')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('a+(b)', 'a+(b)')).toBe(true);
  });
});
