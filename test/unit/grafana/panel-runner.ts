/**
 * Runs the provisioned dashboards' panel queries on a store the way Grafana
 * would (grafana-macros.ts): one place for the panel lookup, the query
 * context and the env selection, shared by the panel tests. Envs are named
 * as the dropdown shows them; the panel gets the option value the env
 * variable's query gives each (envOptionValue).
 */
import type { StoreTransport } from '../../../store/transport.js';
import { expandGrafanaSql, parseGrafanaInterval, type GrafanaQueryContext } from './grafana-macros.js';
import { loadDashboards, queryPanels, type GrafanaDashboard, type GrafanaPanel, type GrafanaTarget } from './dashboards.js';
import { scenarioFrom, scenarioTo } from './scenario.js';

/** Envs by name, or All. */
export type EnvSelection = string[] | 'All';

/**
 * The value of the env variable's option for an env: its query selects hex(env) as the value and env as the
 * text, so that no name — quotes and backslashes included — reaches the SQL as anything but hex digits. A link
 * (var-env=…), or a selection the range no longer offers, carries the same value; the tests check that the
 * query's options agree (dashboard-queries, untrusted-env-values).
 */
export const envOptionValue = (env: string): string => Buffer.from(env, 'utf8').toString('hex').toUpperCase();

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
 * minute (a 6 h range on a wide panel). The envs named become their option
 * values; "All" becomes the dashboard's own `allValue`, as in Grafana. Every other
 * variable takes its value from `choices`, else its `current` one, as a
 * dashboard just opened.
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
    variables[v.name] = { selected: choices[v.name] ?? (current === undefined ? [] : [current].flat()), multi: v.multi ?? false };
  }
  const envVariable = dashboard.templating?.list.find((v) => v.name === 'env');
  const allValue = envVariable?.allValue;
  return {
    from,
    to,
    intervalMs: panel.interval ? Math.max(parseGrafanaInterval(panel.interval), 60_000) : 60_000,
    variables: { ...variables, env: { selected: env === 'All' ? env : env.map(envOptionValue), multi: envVariable?.multi ?? true, ...(allValue === undefined ? {} : { allValue }) } },
  };
}

export interface VariableOption {
  text: string;
  value: string;
}

/**
 * The env variable's options over the range, as Grafana lists them: its
 * query's rows, the first column the value and the second the text shown — a
 * single column is both (the ClickHouse plugin's metricFindQuery: "assume the
 * first field is an id field").
 */
export async function envOptions(store: StoreTransport, dashboard: GrafanaDashboard, from: Date, to: Date): Promise<VariableOption[]> {
  const query = dashboard.templating?.list.find((v) => v.name === 'env')?.query;
  if (query === undefined) throw new Error(`${dashboard.uid} has no env variable`);
  const rows = await store.query(expandGrafanaSql(query, { from, to, intervalMs: 60_000 }));
  return rows.map((row) => {
    const [first, second] = Object.values(row).map(String);
    return { value: first!, text: second ?? first! };
  });
}

/** The rows of target A of the panel `title` of dashboard `uid`, over the scenario range (or one ending at `to`, or starting at `from`), envs by name. */
export async function runPanel(
  store: StoreTransport,
  uid: string,
  title: string,
  env: EnvSelection = 'All',
  to: Date = scenarioTo(),
  choices?: VariableChoices,
  from: Date = scenarioFrom,
): Promise<Array<Record<string, unknown>>> {
  const t = panelTargets.find((x) => x.key === `${uid}/${title}/A`);
  if (!t) throw new Error(`no panel ${uid}/${title}`);
  return store.query(expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, env, to, choices, from)));
}

/**
 * Runs each distinct statement once, in the order first given: panels share SQL (the MTTR stat of two dashboards)
 * and most ignore a given variable, so a sweep over targets and values repeats statements. A failing one is
 * reported with every `what` that gave it.
 */
export async function runEachDistinct(store: StoreTransport, queries: Array<{ what: string; sql: string }>): Promise<void> {
  const whats = new Map<string, string[]>();
  for (const { what, sql } of queries) whats.set(sql, [...(whats.get(sql) ?? []), what]);
  for (const [sql, of] of whats) {
    try {
      await store.query(sql);
    } catch (err) {
      throw new Error(`${of.join('; ')}: ${(err as Error).message}`, { cause: err });
    }
  }
}
