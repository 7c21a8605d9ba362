import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAlertsConfig, parseAlertsConfig } from '../../../config/alerts-config.js';
import { alertLimits } from '../../../config/alerts-validation.js';
import type { ConfigError } from '../../../lib/errors.js';
import { DAY } from '../../../lib/time.js';
import { configErrorOf } from '../../helpers/config-error.js';


const errorOf = (text: string, source = 'alerts.yaml'): ConfigError => configErrorOf(() => parseAlertsConfig(text, source));

const loadError = (path: string, option?: string): ConfigError => configErrorOf(() => loadAlertsConfig(path, option));

const rule = (name: string, body: string) => `rules:\n  ${name}:\n    ${body}\n`;

describe('alerts.yaml limits', () => {
  it('documents sane maxima', () => {
    expect(alertLimits).toEqual({ thresholdMs: 365 * DAY, windowMs: 30 * DAY, minSamples: 1_000_000, escalationAfterMs: 365 * DAY, respondWithinMs: 365 * DAY });
  });

  it.each([
    ['promotion_duration_high', 'window: 99999999999999999999999d', 'rules.promotion_duration_high.window: expected a duration of at most 30d, got "99999999999999999999999d"'],
    ['promotion_duration_high', 'window: 31d', 'rules.promotion_duration_high.window: expected a duration of at most 30d, got "31d"'],
    ['gate_failure_rate_high', 'window: 721h', 'rules.gate_failure_rate_high.window: expected a duration of at most 30d, got "721h"'],
    ['promotion_duration_high', 'threshold: 99999999999999999999999d', 'rules.promotion_duration_high.threshold: expected a duration of at most 365d, got "99999999999999999999999d"'],
    ['mttr_breach', 'threshold: 366d', 'rules.mttr_breach.threshold: expected a duration of at most 365d, got "366d"'],
    ['promotion_success_rate_low', 'minSamples: 1e300', 'rules.promotion_success_rate_low.minSamples: expected a whole number from 1 to 1000000, got 1e+300'],
    ['index_error_rate_high', 'minSamples: 1000001', 'rules.index_error_rate_high.minSamples: expected a whole number from 1 to 1000000, got 1000001'],
    ['index_error_rate_high', 'minSamples: .inf', 'rules.index_error_rate_high.minSamples: expected a whole number of at least 1, got Infinity'],
  ])('rules.%s: rejects `%s` naming the path in the file', (name, body, message) => {
    const e = errorOf(rule(name, body));
    expect(e.code).toBe('DW_CONFIG_INVALID');
    expect(e.option).toBe(`alerts.yaml: ${message.split(':')[0]}`);
    expect(e.message).toBe(`alerts.yaml: ${message}`);
  });

  it('rejects an infinite duration (320 nines) with the range', () => {
    const e = errorOf(rule('promotion_duration_high', `threshold: ${'9'.repeat(320)}d`));
    expect(e.message).toMatch(/^alerts\.yaml: rules\.promotion_duration_high\.threshold: expected a duration of at most 365d, got "9+d"$/);
  });

  it('keeps an MTTR window outside 1h, 24h, 7d a "which windows" error, however long', () => {
    expect(errorOf(rule('mttr_breach', 'window: 99999999999999999999999d')).message).toBe(
      'alerts.yaml: rules.mttr_breach.window: expected one of the rolling MTTR windows 1h, 24h, 7d, got "99999999999999999999999d"',
    );
  });

  it('accepts the values at the maxima', () => {
    const c = parseAlertsConfig(
      'rules:\n' +
        '  promotion_duration_high: { threshold: 365d, window: 30d, minSamples: 1000000 }\n' +
        '  mttr_breach: { threshold: 365d, window: 7d }\n' +
        '  gate_failure_rate_high: { window: 720h, minSamples: 1000000 }\n',
      'alerts.yaml',
    );
    expect(c.rules.promotion_duration_high).toMatchObject({ threshold: 365 * DAY, windowMs: 30 * DAY, minSamples: 1_000_000 });
    expect(c.rules.mttr_breach).toMatchObject({ threshold: 365 * DAY, windowMs: 7 * DAY });
    expect(c.rules.gate_failure_rate_high).toMatchObject({ windowMs: 30 * DAY, minSamples: 1_000_000 });
  });

  it('caps escalation `after` at 365d', () => {
    const levels = (last: string) => `escalation:\n  - { level: 1, after: 0m }\n  - { level: 2, after: ${last} }\n`;
    expect(parseAlertsConfig(levels('365d'), 'alerts.yaml').escalation[1]!.afterMs).toBe(365 * DAY);
    expect(errorOf(levels('99999999999999999999999d')).message).toBe(
      'alerts.yaml: escalation[1].after: expected a duration of at most 365d, got "99999999999999999999999d"',
    );
  });
});

describe('alerts file that cannot be read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-alerts-limits-'));
  const missing = join(dir, 'nonexistent.yaml');

  it('names the option that supplied the path, then the path', () => {
    const e = loadError(missing, 'DRIFTWATCH_ALERTS_FILE');
    expect(e.option).toBe('DRIFTWATCH_ALERTS_FILE');
    expect(e.message).toMatch(new RegExp(`^DRIFTWATCH_ALERTS_FILE: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the alerts file \\(ENOENT`));
    expect(loadError(missing, '--alerts').message).toMatch(/^--alerts: .*nonexistent\.yaml: cannot read the alerts file/);
  });

  it('names the option, then the file and the entry, for a file that reads but is invalid', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rules:\n  promotion_duration_high:\n    window: 99999999999999999999999d\n');
    const e = loadError(file, 'DRIFTWATCH_ALERTS_FILE');
    expect(e.option).toBe('DRIFTWATCH_ALERTS_FILE');
    expect(e.code).toBe('DW_CONFIG_INVALID');
    expect(e.message.startsWith(`DRIFTWATCH_ALERTS_FILE: ${file}: rules.promotion_duration_high.window: expected a duration of at most 30d`)).toBe(true);
  });
});
