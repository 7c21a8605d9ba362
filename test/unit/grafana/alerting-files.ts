/**
 * Reads deploy/grafana/provisioning/alerting for the tests, and models what
 * Grafana does with a rule of it: the ClickHouse query's time range from its
 * relativeTimeRange at an evaluation instant, one alert instance per result
 * row (its string columns are the labels, its one number the value), and
 * the threshold expression.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { grafanaDir } from './dashboards.js';
import type { GrafanaQueryContext } from './grafana-macros.js';

export const alertingDir = join(grafanaDir, 'provisioning/alerting');

export interface AlertQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: Record<string, unknown> & { refId?: string; rawSql?: string; datasource?: { type?: string; uid?: string } };
}

export interface Threshold {
  type: 'gt' | 'lt';
  params: number[];
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  noDataState: string;
  execErrState: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: AlertRule[];
}

export interface ContactPoint {
  orgId: number;
  name: string;
  receivers: Array<{ uid: string; type: string; settings: Record<string, unknown> }>;
}

export interface Route {
  receiver: string;
  object_matchers?: Array<[string, string, string]>;
  routes?: Route[];
  group_by?: string[];
  group_wait?: string;
  repeat_interval?: string;
}

const read = <T>(file: string): T & { apiVersion: number } => parse(readFileSync(join(alertingDir, file), 'utf8')) as T & { apiVersion: number };

export const rulesFile = read<{ groups: RuleGroup[] }>('rules.yaml');
export const contactPointsFile = read<{ contactPoints: ContactPoint[] }>('contact-points.yaml');
export const policiesFile = read<{ policies: Array<Route & { orgId: number }> }>('notification-policies.yaml');

export const alertRules: AlertRule[] = rulesFile.groups.flatMap((g) => g.rules);

export const isExpression = (q: AlertQuery): boolean => q.datasourceUid === '__expr__';

export function ruleByUid(uid: string): AlertRule {
  const rule = alertRules.find((r) => r.uid === uid);
  if (!rule) throw new Error(`no alert rule ${uid}`);
  return rule;
}

/** The rule's one data source query (the others are expressions). */
export function dataQuery(rule: AlertRule): AlertQuery {
  const queries = rule.data.filter((q) => !isExpression(q));
  if (queries.length !== 1) throw new Error(`${rule.uid}: expected one data source query, got ${queries.length}`);
  return queries[0]!;
}

/** The threshold the rule's condition applies to its query. */
export function ruleThreshold(rule: AlertRule): Threshold {
  const condition = rule.data.find((q) => q.refId === rule.condition)!;
  const model = condition.model as { type?: string; expression?: string; conditions?: Array<{ evaluator: Threshold }> };
  if (model.type !== 'threshold' || model.expression !== dataQuery(rule).refId) throw new Error(`${rule.uid}: condition is not a threshold on its query`);
  return model.conditions![0]!.evaluator;
}

/** The query's range when the rule is evaluated at `at` (whole seconds, as the plugin's macros see it). */
export function evaluationContext(query: AlertQuery, at: Date): GrafanaQueryContext {
  const range = query.relativeTimeRange!;
  return { from: new Date(at.getTime() - range.from * 1000), to: new Date(at.getTime() - range.to * 1000), intervalMs: 1000 };
}

export interface AlertInstance {
  labels: Record<string, string>;
  value: number;
  firing: boolean;
}

/** Grafana's reading of a table result: one instance per row, string columns as labels, the one numeric column as value. */
export function alertInstances(rule: AlertRule, rows: Array<Record<string, unknown>>): AlertInstance[] {
  const { type, params } = ruleThreshold(rule);
  return rows.map((row) => {
    const numbers = Object.values(row).filter((v): v is number => typeof v === 'number');
    if (numbers.length !== 1) throw new Error(`${rule.uid}: a row needs exactly one numeric column: ${JSON.stringify(row)}`);
    const labels = Object.fromEntries(Object.entries(row).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const value = numbers[0]!;
    return { labels, value, firing: type === 'gt' ? value > params[0]! : value < params[0]! };
  });
}

/** The contact point Grafana's policy tree sends an alert with these labels to (first matching child route, else the root's). */
export function routeFor(labels: Record<string, string>, route: Route = policiesFile.policies[0]!): string {
  for (const child of route.routes ?? []) {
    const matches = (child.object_matchers ?? []).every(([name, op, value]) => {
      if (op !== '=') throw new Error(`matcher ${name} ${op} ${value}: only = is modelled`);
      return labels[name] === value;
    });
    if (matches) return routeFor(labels, child);
  }
  return route.receiver;
}
