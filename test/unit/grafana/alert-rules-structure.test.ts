/**
 * deploy/grafana/provisioning/alerting, checked without Grafana (none runs
 * here): the fields Grafana's file provisioning requires of every rule, the
 * provisioned ClickHouse data source behind every query, a seed severity on
 * every rule, and routes from each severity to a contact point that exists
 * and carries the seed's channels for it, with no secret in the files.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { severities } from '../../../schemas/alert-event.js';
import { loadDatasources } from './dashboards.js';
import {
  alertRules, alertingDir, contactPointsFile, dataQuery, isExpression, policiesFile, routeFor, rulesFile, ruleThreshold,
} from './alerting-files.js';

const [datasource] = loadDatasources();
const duration = /^(0|\d+(ms|s|m|h|d))+$/;

describe('Grafana alert rule provisioning', () => {
  it('holds the rules, contact points and policies, each a version 1 file', () => {
    expect(readdirSync(alertingDir).sort()).toEqual(['contact-points.yaml', 'notification-policies.yaml', 'rules.yaml']);
    for (const file of [rulesFile, contactPointsFile, policiesFile]) expect(file.apiVersion).toBe(1);
    for (const group of rulesFile.groups) {
      expect(group).toMatchObject({ orgId: 1, name: expect.any(String), folder: expect.any(String) });
      expect(group.interval).toMatch(duration);
      expect(group.rules.length).toBeGreaterThan(0);
    }
  });

  it('gives every rule the fields Grafana requires, a unique uid and title', () => {
    expect(new Set(alertRules.map((r) => r.uid)).size).toBe(alertRules.length);
    expect(new Set(alertRules.map((r) => r.title)).size).toBe(alertRules.length);
    for (const rule of alertRules) {
      expect(rule.uid, rule.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(rule.title, rule.uid).toEqual(expect.any(String));
      expect(rule.data.map((q) => q.refId), rule.uid).toContain(rule.condition);
      expect(['NoData', 'Alerting', 'OK', 'KeepLast'], rule.uid).toContain(rule.noDataState);
      expect(['Error', 'Alerting', 'OK', 'KeepLast'], rule.uid).toContain(rule.execErrState);
      expect(rule.for, rule.uid).toMatch(duration);
      expect(rule.annotations.summary, rule.uid).toEqual(expect.any(String));
      // Grafana interpolates labels with its environment: a `$` there would be lost.
      for (const v of Object.values(rule.labels)) expect(v, rule.uid).not.toContain('$');
      for (const q of rule.data) {
        expect(q.model.refId, `${rule.uid}/${q.refId}`).toBe(q.refId);
        expect(q.model.datasource?.uid, `${rule.uid}/${q.refId}`).toBe(q.datasourceUid);
      }
    }
  });

  it('queries the provisioned ClickHouse data source with SQL over a past range, and thresholds it', () => {
    for (const rule of alertRules) {
      const q = dataQuery(rule);
      expect(q.datasourceUid, rule.uid).toBe(datasource!.uid);
      expect(q.model, rule.uid).toMatchObject({ datasource: { type: datasource!.type }, editorType: 'sql', format: 1, queryType: 'table', rawSql: expect.any(String) });
      expect(q.relativeTimeRange!.from, rule.uid).toBeGreaterThan(q.relativeTimeRange!.to);
      expect(q.relativeTimeRange!.to, rule.uid).toBe(0);
      for (const e of rule.data.filter(isExpression)) expect(e.model.datasource, rule.uid).toEqual({ type: '__expr__', uid: '__expr__' });
      const threshold = ruleThreshold(rule);
      expect(['gt', 'lt'], rule.uid).toContain(threshold.type);
      expect(threshold.params, rule.uid).toEqual([expect.any(Number)]);
    }
  });

  it("labels every rule with a seed severity, and covers the seed's system down, data corruption and resource usage", () => {
    for (const rule of alertRules) expect(severities, rule.uid).toContain(rule.labels.severity);
    expect(Object.fromEntries(alertRules.map((r) => [r.uid, r.labels.severity]))).toEqual({
      'driftwatch-engine-down': 'critical',
      'driftwatch-dead-letter-spike': 'critical',
      'driftwatch-memory-high': 'medium',
      'driftwatch-consumer-lag-high': 'medium',
    });
  });

  it("routes each severity to a contact point that exists, with the seed's channels for it (alerts.yaml routing)", () => {
    const points = new Map(contactPointsFile.contactPoints.map((c) => [c.name, c]));
    for (const rule of alertRules) expect(points.has(routeFor(rule.labels)), rule.uid).toBe(true);
    const { routing } = defaultAlertsConfig();
    for (const severity of severities) {
      const point = points.get(routeFor({ severity }))!;
      expect(point, severity).toBeDefined();
      // The seed's channel names are Grafana's integration types.
      expect(point.receivers.map((r) => r.type).sort(), severity).toEqual([...routing[severity].channels].sort());
    }
    expect(points.has(policiesFile.policies[0]!.receiver)).toBe(true);
  });

  it('keeps no secret in the contact points: keys, webhooks and addresses come from the environment', () => {
    const uids = contactPointsFile.contactPoints.flatMap((c) => c.receivers.map((r) => r.uid));
    expect(new Set(uids).size).toBe(uids.length);
    for (const r of contactPointsFile.contactPoints.flatMap((c) => c.receivers)) {
      for (const key of ['integrationKey', 'url', 'addresses', 'token']) {
        if (key in r.settings) expect(r.settings[key], `${r.uid}.${key}`).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
      }
    }
  });
});
