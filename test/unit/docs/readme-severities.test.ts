/**
 * README "Alert rules", the severity table: which default rules raise alerts
 * of each severity, and how each severity is routed — what an alert consumer
 * plans its paging on — is what the built-in alerts.yaml does.
 */
import { describe, expect, it } from 'vitest';
import { createSeverityClassifier, defaultAlertsConfig } from '../../../config/alerts-config.js';
import { ruleNames } from '../../../config/alert-rules.js';
import { severities, type Severity } from '../../../schemas/alert-event.js';
import { durationText } from '../../../lib/time.js';
import { readmeTable, unquote } from '../../helpers/readme-tables.js';

describe('README severity table', () => {
  const config = defaultAlertsConfig();
  const rows = readmeTable('severity').map(([severity, rules, channels, within, escalatesTo]) => ({
    severity: unquote(severity!) as Severity,
    rules: [...rules!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter((r) => (ruleNames as readonly string[]).includes(r)),
    channels: channels!.split(',').map((c) => c.trim()),
    within: within!,
    // "no one in particular" is the empty list.
    escalatesTo: escalatesTo === 'no one in particular' ? [] : escalatesTo!.split(',').map((c) => c.trim()),
  }));

  it('has a row per severity', () => {
    expect(rows.map((r) => r.severity)).toEqual([...severities]);
  });

  it('names, per severity, the default rules that raise alerts of it', () => {
    const classify = createSeverityClassifier(config);
    const raised = new Map<Severity, Set<string>>(severities.map((s) => [s, new Set()]));
    for (const rule of ruleNames) {
      // Labels that match no override (the rule's own severity), then labels matching each override's globs.
      const labelSets = [{ env: '\u0000', artifact: '\u0000', gate: '\u0000', ruleId: '\u0000' }];
      for (const o of config.rules[rule].overrides) labelSets.push({ ...labelSets[0]!, ...Object.fromEntries(Object.entries(o.match).map(([k, v]) => [k, v.replaceAll('*', 'x')])) });
      for (const labels of labelSets) raised.get(classify(rule, labels))!.add(rule);
    }
    for (const row of rows) expect(new Set(row.rules), `rules at ${row.severity}`).toEqual(raised.get(row.severity));
  });

  it('routes each severity as the default routing does', () => {
    for (const row of rows) {
      const route = config.routing[row.severity];
      expect(row.channels, `channels of ${row.severity}`).toEqual(route.channels);
      expect(row.within, `respondWithin of ${row.severity}`).toBe(durationText(route.respondWithinMs));
      expect(row.escalatesTo, `notify of ${row.severity}`).toEqual(route.notify);
    }
  });
});
