/**
 * `summary` and `runbookUrl` placeholders: only the labels the rule's alerts
 * carry are filled in (rule-context.ts fillTemplate leaves any other as
 * written), so a typo (`{evn}`) or a label of another rule (`{gate}` on
 * drift_detected) used to reach every alert as literal text. The file is
 * refused instead, naming the entry and the labels the rule has.
 */
import { describe, expect, it } from 'vitest';
import { parseAlertsConfig } from '../../../config/alerts-config.js';
import { configErrorOf } from '../../helpers/config-error.js';

const parse = (text: string) => parseAlertsConfig(text, 'alerts.yaml');

describe('alerts.yaml placeholders', () => {
  it('refuses a placeholder that is not a label of the rule, in summary and runbookUrl', () => {
    const e = configErrorOf(() => parse('rules:\n  drift_detected:\n    summary: "drift in {evn}"\n    runbookUrl: "https://wiki/{gate}"\n'));
    expect(e.option).toBe('alerts.yaml: rules.drift_detected.summary');
    expect(e.message.split('\n')).toEqual([
      'alerts.yaml: rules.drift_detected.summary: unknown placeholder {evn}; this rule\'s alerts carry {env}, {artifact}',
      'alerts.yaml: rules.drift_detected.runbookUrl: unknown placeholder {gate}; this rule\'s alerts carry {env}, {artifact}',
    ]);
    expect(configErrorOf(() => parse('rules:\n  mttr_breach:\n    summary: "MTTR of {artifact}"\n')).message).toBe(
      'alerts.yaml: rules.mttr_breach.summary: unknown placeholder {artifact}; this rule\'s alerts carry {env}',
    );
  });

  it('takes the labels the rule has, and braces that are no placeholder', () => {
    const c = parse('rules:\n  gate_failure_rate_high:\n    summary: "{gate} fails in {env} {not a placeholder}"\n    runbookUrl: "https://wiki/gates/{gate}"\n');
    expect(c.rules.gate_failure_rate_high).toMatchObject({ summary: '{gate} fails in {env} {not a placeholder}', runbookUrl: 'https://wiki/gates/{gate}' });
  });
});
