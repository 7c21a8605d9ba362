/**
 * Runs the provisioned dashboards' panel queries on a store the way Grafana
 * would (grafana-macros.ts): one place for the panel lookup, the query
 * context and the env selection, shared by the panel tests.
 */
import type { StoreTransport } from '../../../store/transport.js';
import { expandGrafanaSql, parseGrafanaInterval, type GrafanaQueryContext } from './grafana-macros.js';
import { loadDashboards, queryPanels, type GrafanaDashboard, type GrafanaPanel, type GrafanaTarget } from './dashboards.js';
import { scenarioFrom, scenarioTo } from './scenario.js';

export type EnvSelection = string[] | 'All';

export interface PanelTarget {
  /** "<dashboard uid>/<panel title>/<refId>" */
  key: string;
  dashboard: GrafanaDashboard;
  panel: GrafanaPanel;
  target: GrafanaTarget;
}

export const dashboards: GrafanaDashboard[] = loadDashboards().map((d) => d.dashboard);

export const panelTargets: PanelTarget[] = dashboards.flatMap((d) =>
  queryPanels(d).flatMap((panel) => (panel.targets ?? []).map((target) => ({ key: `${d.uid}/${panel.title}/${target.refId}`, dashboard: d, panel, target }))),
);

/** Values chosen for the dashboard's other variables (not env), by name; the rest keep the value the dashboard opens with. */
export type VariableChoices = Record<string, string[]>;

/**
 * Grafana's interval for the panel: its min interval when set, else one
 * minute (a 6 h range on a wide panel). "All" of the env variable becomes the
 * dashboard's own `allValue`, as in Grafana. Every other variable takes its
 * value from `choices`, else its `current` one, as a dashboard just opened.
 */
export function panelContext(
  dashboard: GrafanaDashboard,
  panel: GrafanaPanel,
  env: EnvSelection = 'All',
  to: Date = scenarioTo(),
  choices: VariableChoices = {},
  from: Date = scenarioFrom,
): GrafanaQueryContext {
  const variables: NonNullable<GrafanaQueryContext['variables']> = {};
  for (const v of dashboard.templating?.list ?? []) {
    if (v.name === 'env') continue;
    const current = v.current?.value;
    variables[v.name] = { selected: choices[v.name] ?? (current === undefined ? [] : [current].flat()) };
  }
  const allValue = dashboard.templating?.list.find((v) => v.name === 'env')?.allValue;
  return {
    from,
    to,
    intervalMs: panel.interval ? Math.max(parseGrafanaInterval(panel.interval), 60_000) : 60_000,
    variables: { ...variables, env: { selected: env, ...(allValue === undefined ? {} : { allValue }) } },
  };
}

/** The rows of target A of the panel `title` of dashboard `uid`, over the scenario range (or one ending at `to`, or starting at `from`). */
export async function runPanel(
  store: StoreTransport,
  uid: string,
  title: string,
  env: EnvSelection = 'All',
  to?: Date,
  choices?: VariableChoices,
  from?: Date,
): Promise<Array<Record<string, unknown>>> {
  const t = panelTargets.find((x) => x.key === `${uid}/${title}/A`);
  if (!t) throw new Error(`no panel ${uid}/${title}`);
  return store.query(expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, env, to, choices, from)));
}
