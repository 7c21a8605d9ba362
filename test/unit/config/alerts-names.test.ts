/**
 * The names alerts.yaml lists — `notify` (escalation levels and routing) and
 * `routing.<severity>.channels` — and the free-text `summary`: an alert event
 * carries the names joined with ", " (processors/alerting/routing-annotations.ts),
 * so a blank name made `notify: "On-Call Engineer, "` and a name holding a
 * comma could not be told from two. Both used to be accepted in silence.
 */
import { describe, expect, it } from 'vitest';
import { parseAlertsConfig } from '../../../config/alerts-config.js';
import { configErrorOf } from '../../helpers/config-error.js';

const errorOf = (text: string) => configErrorOf(() => parseAlertsConfig(text, 'alerts.yaml'));

describe('alerts.yaml names', () => {
  /** The error of `text` names `path` and says `message` there. */
  const expectRefused = (text: string, path: string, message: string) => {
    const e = errorOf(text);
    expect(e.option).toBe(`alerts.yaml: ${path}`);
    expect(e.message).toContain(`alerts.yaml: ${path}: ${message}`);
  };

  it('rejects a blank name in an escalation level\'s notify, naming its entry', () => {
    expectRefused('escalation:\n  - { level: 1, after: 0m, notify: [""] }\n', 'escalation[0].notify[0]', 'expected a name, got ""');
    expectRefused('escalation:\n  - { level: 1, after: 0m, notify: [On-Call Engineer, "  "] }\n', 'escalation[0].notify[1]', 'expected a name, got "  "');
  });

  it('rejects a blank name, or one holding a comma, in routing notify and channels', () => {
    expectRefused('routing:\n  high:\n    notify: [""]\n', 'routing.high.notify[0]', 'expected a name, got ""');
    expectRefused('routing:\n  high:\n    notify: ["Smith, John"]\n', 'routing.high.notify[0]', 'expected a name without ","');
    expectRefused('routing:\n  high:\n    channels: [" "]\n', 'routing.high.channels[0]', 'expected a name, got " "');
    expectRefused('routing:\n  high:\n    channels: ["slack,email"]\n', 'routing.high.channels[0]', 'expected a name without ","');
  });

  it('rejects a summary of only whitespace, as an empty one', () => {
    expect(errorOf('rules:\n  drift_detected:\n    summary: "  "\n').message).toBe(
      'alerts.yaml: rules.drift_detected.summary: expected a non-empty string, got "  "',
    );
  });

  it('still takes real names, and an empty list (no one in particular)', () => {
    const c = parseAlertsConfig('routing:\n  low:\n    notify: []\n  medium:\n    notify: [SRE Team, Platform Team]\n    channels: [slack, ms-teams]\n', 'alerts.yaml');
    expect(c.routing.low.notify).toEqual([]);
    expect(c.routing.medium).toMatchObject({ notify: ['SRE Team', 'Platform Team'], channels: ['slack', 'ms-teams'] });
  });
});
