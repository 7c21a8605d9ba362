/**
 * The provisioned Grafana files are well formed: one data source of the
 * official ClickHouse plugin, a file provider, and five dashboards whose every
 * panel queries that data source and sits on the 24-column grid.
 */
import { describe, it, expect } from 'vitest';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { mttrWindows } from '../../../config/alerts-validation.js';
import { allPanels, loadDashboardProviders, loadDashboards, loadDatasources, queryPanels } from './dashboards.js';
import { variableReferences } from './grafana-variables.js';

const dashboards = loadDashboards();
const [datasource] = loadDatasources();

describe('Grafana provisioning', () => {
  it('provisions one ClickHouse data source with a fixed uid and the password from the environment', () => {
    expect(loadDatasources()).toHaveLength(1);
    expect(datasource).toMatchObject({
      uid: 'driftwatch-clickhouse',
      type: 'grafana-clickhouse-datasource',
      jsonData: { host: '${CLICKHOUSE_HOST}', port: 9000, protocol: 'native', username: '${CLICKHOUSE_USER}', defaultDatabase: 'driftwatch' },
      secureJsonData: { password: '${CLICKHOUSE_PASSWORD}' },
    });
    // The plugin reads the user from jsonData; only secrets belong in secureJsonData.
    expect(Object.keys(datasource!.secureJsonData)).toEqual(['password']);
  });

  it('sets only settings the plugin (4.x, pkg/plugin/settings.go) and Grafana\'s file provider read: a misspelt key is ignored silently', () => {
    const jsonDataKeys = [
      'host', 'port', 'protocol', 'secure', 'path', 'tlsSkipVerify', 'tlsAuth', 'tlsAuthWithCACert', 'username', 'defaultDatabase',
      'dialTimeout', 'queryTimeout', 'connMaxLifetime', 'maxIdleConns', 'maxOpenConns', 'customSettings', 'forwardGrafanaHeaders',
      'httpHeaders', 'enableRowLimit', 'validateSql', 'logs', 'traces', 'version', 'enableSecureSocksProxy',
    ];
    for (const k of Object.keys(datasource!.jsonData)) expect(jsonDataKeys, `jsonData.${k}`).toContain(k);
    for (const k of Object.keys(datasource!.secureJsonData)) expect(['password', 'tlsCACert', 'tlsClientCert', 'tlsClientKey'], `secureJsonData.${k}`).toContain(k);
    const providerKeys = ['name', 'orgId', 'type', 'folder', 'folderUid', 'disableDeletion', 'allowUiUpdates', 'updateIntervalSeconds', 'options'];
    for (const provider of loadDashboardProviders()) {
      for (const k of Object.keys(provider)) expect(providerKeys, `provider ${k}`).toContain(k);
      for (const k of Object.keys(provider.options)) expect(['path', 'foldersFromFilesStructure'], `provider options.${k}`).toContain(k);
    }
  });

  it('loads the dashboards with a file provider', () => {
    expect(loadDashboardProviders()).toEqual([
      expect.objectContaining({ name: 'driftwatch', type: 'file', options: expect.objectContaining({ path: '/var/lib/grafana/dashboards/driftwatch' }) }),
    ]);
  });
});

describe('the overview\'s mttr_window variable', () => {
  it("offers the MTTR windows the store keeps and opens at the default mttr_breach rule's window", () => {
    const overview = dashboards.find((d) => d.dashboard.uid === 'driftwatch-overview')!.dashboard;
    const v = overview.templating!.list.find((x) => x.name === 'mttr_window')!;
    expect(v).toMatchObject({ type: 'custom', multi: false, includeAll: false, query: [...mttrWindows.values()].join(',') });
    expect(v.options!.map((o) => o.value)).toEqual([...mttrWindows.values()]);
    const defaultWindow = mttrWindows.get(defaultAlertsConfig().rules.mttr_breach.windowMs!);
    expect(v.current?.value).toBe(defaultWindow);
    expect(v.options!.filter((o) => o.selected).map((o) => o.value)).toEqual([defaultWindow]);
    expect(v.description).toMatch(/set to your mttr_breach window/i);
  });
});

describe('the overview\'s mttr_threshold_minutes variable', () => {
  const overview = dashboards.find((d) => d.dashboard.uid === 'driftwatch-overview')!.dashboard;

  it("opens at the default mttr_breach rule's threshold and offers whole minutes, default among them", () => {
    const v = overview.templating!.list.find((x) => x.name === 'mttr_threshold_minutes')!;
    const values = v.options!.map((o) => o.value);
    expect(v).toMatchObject({ type: 'custom', multi: false, includeAll: false, query: values.join(',') });
    for (const value of values) expect(value, value).toMatch(/^[1-9]\d*$/); // the query casts it with toUInt32
    const defaultMinutes = String(defaultAlertsConfig().rules.mttr_breach.threshold! / 60_000);
    expect(v.current?.value).toBe(defaultMinutes);
    expect(v.options!.filter((o) => o.selected).map((o) => o.value)).toEqual([defaultMinutes]);
    expect(v.description).toMatch(/set to your rules\.mttr_breach\.threshold/i);
  });

  it('is what System status compares against, for incidents open too long and for the rolling MTTR', () => {
    const sql = allPanels(overview).find((p) => p.title === 'System status')!.targets![0]!.rawSql!;
    expect(sql.match(/toUInt32\(decodeURLComponent\('\$\{mttr_threshold_minutes:percentencode\}'\)\)/g)).toHaveLength(2);
    expect(sql).not.toMatch(/INTERVAL 30 MINUTE|> 30\b/);
  });
});

describe('dashboards', () => {
  it('are the five dashboards of the seed, with unique uids', () => {
    expect(dashboards.map((d) => d.dashboard.title).sort()).toEqual([
      'driftwatch — Drift Detection',
      'driftwatch — Framework Health Overview',
      'driftwatch — Hydration Rules Monitoring',
      'driftwatch — Operational Metrics',
      'driftwatch — Promotion Monitoring',
    ]);
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      it('has a title, a schema version and panels with unique ids and titles', () => {
        expect(dashboard.title).toBeTruthy();
        expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
        const panels = allPanels(dashboard);
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
        const titles = queryPanels(dashboard).map((p) => p.title);
        expect(new Set(titles).size).toBe(titles.length);
        expect(titles.length).toBeGreaterThanOrEqual(8);
      });

      it('places every panel on the 24-column grid without overlaps', () => {
        const panels = allPanels(dashboard);
        for (const p of panels) {
          const { x, y, w, h } = p.gridPos;
          expect([x, y, w, h].every(Number.isInteger), p.title).toBe(true);
          expect(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, p.title).toBe(true);
        }
        for (const [i, a] of panels.entries()) {
          for (const b of panels.slice(i + 1)) {
            const overlap =
              a.gridPos.x < b.gridPos.x + b.gridPos.w &&
              b.gridPos.x < a.gridPos.x + a.gridPos.w &&
              a.gridPos.y < b.gridPos.y + b.gridPos.h &&
              b.gridPos.y < a.gridPos.y + a.gridPos.h;
            expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
          }
        }
      });

      it('queries the provisioned data source with raw SQL from every panel and variable', () => {
        const ds = { type: datasource!.type, uid: datasource!.uid };
        for (const p of queryPanels(dashboard)) {
          expect(['stat', 'timeseries', 'table', 'piechart']).toContain(p.type);
          expect(p.datasource, p.title).toEqual(ds);
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          const refIds = p.targets!.map((t) => t.refId);
          expect(new Set(refIds).size, p.title).toBe(refIds.length);
          for (const t of p.targets!) {
            expect(t.datasource, p.title).toEqual(ds);
            expect(t.editorType).toBe('sql');
            expect(t.rawSql?.trim(), p.title).toMatch(/^(SELECT|WITH)\b/);
            // Grafana's query types: 0 = time series (needs a `time` column), 1 = table.
            expect(t.format, p.title).toBe(p.type === 'timeseries' ? 0 : 1);
            expect(t.queryType, p.title).toBe(p.type === 'timeseries' ? 'timeseries' : 'table');
          }
        }
        // A custom variable lists its values itself and queries nothing.
        for (const v of dashboard.templating?.list ?? []) {
          if (v.type !== 'custom') expect(v.datasource, v.name).toEqual(ds);
        }
      });

      it("bounds every panel query by the time picker through the plugin's macros", () => {
        // Issue 4: panels use $__timeFilter, $__timeInterval, … — a query without one reads the whole history
        // whatever range is selected (and its numbers do not move with the picker).
        for (const p of queryPanels(dashboard)) {
          for (const t of p.targets!) expect(t.rawSql, `${p.title}/${t.refId}`).toMatch(/\$__(timeFilter|fromTime|toTime)\b/);
        }
      });

      it('filters by the env variable, which offers All', () => {
        const env = dashboard.templating?.list.find((v) => v.name === 'env');
        // allValue '.*': "All" matches every env, '' included (an alert whose labels carry no env); without it Grafana
        // would list the env values the variable query found, and those never include ''. No custom value: one
        // typed in would be taken for an option's value (hex), never for the name typed.
        expect(env).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*', allowCustomValue: false });
        // The plugin takes the first column as each option's value and the second as its text.
        expect(env?.query).toMatch(/^SELECT DISTINCT hex\(env\) AS value, env AS text\n/);
        expect(env?.definition).toBe(env?.query);
      });

      it('puts variables into SQL only in forms that are exact for any value (untrusted-env-values.test.ts)', () => {
        // Names are producers' free text, and no Grafana format escapes a backslash for a ClickHouse string
        // literal (grafana-variables.ts): env is compared as hex(column) against its options' hex values, the
        // single-value custom variables are percent-encoded ([A-Za-z0-9_.~%-] only) and decoded by ClickHouse.
        const exactForms = [
          /match\(hex\(\w+\), '\^\(\$\{env:regex\}\)\$'\)/g,
          /decodeURLComponent\('\$\{(mttr_window|mttr_threshold_minutes):percentencode\}'\)/g,
        ];
        for (const p of queryPanels(dashboard)) {
          for (const t of p.targets!) {
            const rest = exactForms.reduce((sql, form) => sql.replace(form, ''), t.rawSql!);
            expect(variableReferences(rest).map((r) => r.text), `${p.title}/${t.refId}`).toEqual([]);
          }
        }
        for (const v of dashboard.templating?.list ?? []) {
          if (v.type === 'custom') expect(v.multi, v.name).toBe(false); // percentencode joins several values with ","
        }
      });

      it('says so in the description of every panel that only a live engine fills (engine_metrics)', () => {
        for (const p of queryPanels(dashboard)) {
          if (!(p.targets ?? []).some((t) => t.rawSql?.includes('driftwatch.engine_metrics'))) continue;
          expect(p.description, p.title).toMatch(/Live mode only/);
        }
      });

      it('says so in the description of every other panel that the Environment filter does not narrow', () => {
        // Dead letters carry no env to trust (they failed decoding or validation): the input-validation panels count
        // every env's records, which with prod selected read as prod's own rejection rate.
        for (const p of queryPanels(dashboard)) {
          if ((p.targets ?? []).every((t) => t.rawSql?.includes('${env:regex}') || t.rawSql?.includes('driftwatch.engine_metrics'))) continue;
          expect(p.description, p.title).toMatch(/All environments, whatever the Environment filter/);
        }
      });

      it('says so of the dead letters in a panel that narrows its other series by env', () => {
        // dead_letters has no env column: a panel reading it beside env-narrowed tables (Late and dead-lettered
        // records) passed the check above on its env references, yet with prod selected showed every env's
        // dead letters next to prod's late events.
        for (const p of queryPanels(dashboard)) {
          if (!(p.targets ?? []).some((t) => t.rawSql?.includes('driftwatch.dead_letters'))) continue;
          expect(p.description, p.title).toMatch(/all environments, whatever the Environment filter/i);
        }
      });
    });
  }
});
