/** Reads the provisioned Grafana files of deploy/grafana for the tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const deployDir = join(repoRoot, 'deploy');
export const grafanaDir = join(deployDir, 'grafana');
export const dashboardsDir = join(grafanaDir, 'dashboards');

export interface GrafanaTarget {
  refId: string;
  datasource?: { type?: string; uid?: string };
  editorType?: string;
  format?: number;
  queryType?: string;
  rawSql?: string;
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  interval?: string;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
  fieldConfig?: { defaults?: Record<string, unknown> };
}

export interface GrafanaVariable {
  name: string;
  type: string;
  label?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  /** A query variable's SQL; a custom variable's comma-separated values. */
  query?: string;
  allValue?: string;
  /** Whether a value can be typed in that is not among the options. */
  allowCustomValue?: boolean;
  definition?: string;
  includeAll?: boolean;
  multi?: boolean;
  /** The value the dashboard opens with. */
  current?: { text?: string | string[]; value?: string | string[] };
  options?: Array<{ text: string; value: string; selected?: boolean }>;
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating?: { list: GrafanaVariable[] };
}

export function loadDashboards(): Array<{ file: string; dashboard: GrafanaDashboard }> {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as GrafanaDashboard }));
}

/** Every panel, rows' nested panels included (a collapsed row keeps its panels inside). */
export function allPanels(d: GrafanaDashboard): GrafanaPanel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Panels that query the data source (everything but rows). */
export function queryPanels(d: GrafanaDashboard): GrafanaPanel[] {
  return allPanels(d).filter((p) => p.type !== 'row');
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, unknown>;
}

export function loadDatasources(): ProvisionedDatasource[] {
  const doc = parse(readFileSync(join(grafanaDir, 'provisioning/datasources/clickhouse.yaml'), 'utf8')) as {
    apiVersion: number;
    datasources: ProvisionedDatasource[];
  };
  return doc.datasources;
}

export function loadDashboardProviders(): Array<{ name: string; type: string; options: { path: string } }> {
  const doc = parse(readFileSync(join(grafanaDir, 'provisioning/dashboards/driftwatch.yaml'), 'utf8')) as {
    providers: Array<{ name: string; type: string; options: { path: string } }>;
  };
  return doc.providers;
}
