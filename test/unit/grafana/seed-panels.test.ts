/**
 * The seed's dashboards (T-11, "Dashboard Architecture") and the panels issue
 * 4 lists exist in the dashboard the seed puts them in, and the panels that
 * show a seed KPI turn red on its wrong side of the seed's target, in the unit
 * the target is given in: drift detected < 5 min, MTTR < 30 min, promotion
 * success > 95 %, gate failure < 5 %, snapshot health 100 % (and the seed's
 * recovery success > 95 %, rollback success > 99 %, coverage 100 %, mean
 * promotion duration < 5 min). What each panel returns is checked on the
 * embedded engine in dashboard-queries.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { loadDashboards, queryPanels, type GrafanaPanel } from './dashboards.js';

const dashboards = new Map(loadDashboards().map(({ dashboard }) => [dashboard.uid, dashboard]));

const panel = (uid: string, title: string): GrafanaPanel | undefined => queryPanels(dashboards.get(uid)!).find((p) => p.title === title);

/** [dashboard uid, the seed's (or the issue's) item, the panels that show it]. */
const seedItems: Array<[string, string, string[]]> = [
  ['driftwatch-overview', 'System Status (Green/Yellow/Red)', ['System status']],
  ['driftwatch-overview', 'Active Promotions', ['Active promotions']],
  ['driftwatch-overview', 'Drift Detection: last drift detection time and severity', ['Last drift detected']],
  ['driftwatch-overview', 'MTTR (target < 30m)', ['MTTR (target < 30 min)']],
  ['driftwatch-overview', 'Uptime', ['Uptime (engine availability)']],
  ['driftwatch-drift', 'Real-time Monitoring', ['Incidents detected', 'Incidents detected by severity']],
  ['driftwatch-drift', 'Severity Levels (Critical/High/Medium/Low)', ['Severity breakdown']],
  ['driftwatch-drift', 'Detection Time (target < 5m)', ['Worst alert delay, wall clock (target < 5 min)', 'Alert delay, wall clock (live mode) vs 5 min target']],
  ['driftwatch-drift', 'Resolution Tracking', ['Time to resolve', 'Incidents (resolution tracking)', 'Rolling MTTR (24 h) vs 30 min target']],
  ['driftwatch-drift', 'Trend Analysis', ['Divergent observations by environment', 'Daily incidents and worst alert delay', 'Drift hotspots']],
  ['driftwatch-promotions', 'Success Rate and trends', ['Success rate (target > 95 %)', 'Success rate by environment', 'Promotions']],
  ['driftwatch-promotions', 'Gate Performance', ['Gate performance', 'Gate failure rate by gate', 'Gate failure rate (target < 5 %)']],
  ['driftwatch-promotions', 'Duration Tracking', ['Mean duration (target < 5 min)', 'Promotion duration vs 5 min target']],
  ['driftwatch-promotions', 'Rollback Events: frequency and reasons', ['Rollbacks', 'Rollback events']],
  ['driftwatch-promotions', 'Snapshot Health: creation and verification', ['Snapshot health (target 100 %)', 'Snapshots']],
  ['driftwatch-hydration', 'Rule Execution', ['Rule executions per second', 'Rule duration (p50 / p90) by rule']],
  ['driftwatch-hydration', 'Determinism Check', ['Determinism incidents', 'Nondeterministic rules']],
  ['driftwatch-hydration', 'Input Validation', ['Input validation success', 'Input records: accepted vs rejected', 'Dead letters by reason']],
  ['driftwatch-hydration', 'Output Consistency', ['Output consistency', 'Rules by output consistency']],
  ['driftwatch-operations', 'System Performance: CPU, memory, disk I/O, network', ['Engine CPU', 'Engine memory', 'Engine disk I/O', 'Network traffic']],
  ['driftwatch-operations', 'Response Times and SLA compliance (latency)', ['Index latency (p50 / p90 / p99) vs 100 ms', 'Index latency SLA (≤ 100 ms)']],
  ['driftwatch-operations', 'Throughput', ['Throughput (events/s by type)']],
  ['driftwatch-operations', 'Error Rates: frequency and patterns', ['Error rates', 'Index error rate', 'Error patterns']],
  ['driftwatch-operations', 'Resource Utilization', ['Engine memory', 'Engine CPU', 'Store write backlog']],
  ['driftwatch-operations', 'Health Checks', ['Engine heartbeat']],
  ['driftwatch-operations', 'Lag (issue 4)', ['Consumer lag (records)', 'Consumer lag by topic', 'Watermark delay']],
];

interface Kpi {
  unit: string;
  target: number;
  /** Which side of the target meets it. */
  better: 'lower' | 'higher';
  /** The seed's target is strict ("< 5 min", "> 95 %"): a value exactly at it does not meet it (the 100 % targets are met at 100 %). */
  strict: boolean;
}

const kpi = {
  detection: { unit: 's', target: 300, better: 'lower', strict: true },
  mttr: { unit: 'm', target: 30, better: 'lower', strict: true },
  promotionSuccess: { unit: 'percentunit', target: 0.95, better: 'higher', strict: true },
  gateFailure: { unit: 'percentunit', target: 0.05, better: 'lower', strict: true },
  snapshotHealth: { unit: 'percentunit', target: 1, better: 'higher', strict: false },
  recoverySuccess: { unit: 'percentunit', target: 0.95, better: 'higher', strict: true },
  rollbackSuccess: { unit: 'percentunit', target: 0.99, better: 'higher', strict: true },
  coverage: { unit: 'percentunit', target: 1, better: 'higher', strict: false },
  meanDuration: { unit: 's', target: 300, better: 'lower', strict: true },
} satisfies Record<string, Kpi>;

/** [dashboard uid, panel title, the table column it colours (else the panel's own thresholds), KPI]. */
const kpiPanels: Array<[string, string, string | undefined, Kpi]> = [
  ['driftwatch-overview', 'MTTR (target < 30 min)', undefined, kpi.mttr],
  ['driftwatch-overview', 'Alert delay p90, wall clock (target < 5 min)', undefined, kpi.detection],
  ['driftwatch-overview', 'Promotion success (target > 95 %)', undefined, kpi.promotionSuccess],
  ['driftwatch-overview', 'Gate failure rate (target < 5 %)', undefined, kpi.gateFailure],
  ['driftwatch-overview', 'Snapshot health (target 100 %)', undefined, kpi.snapshotHealth],
  ['driftwatch-drift', 'Worst alert delay, wall clock (target < 5 min)', undefined, kpi.detection],
  ['driftwatch-drift', 'Alert delay, wall clock (live mode) vs 5 min target', undefined, kpi.detection],
  ['driftwatch-drift', 'MTTR (target < 30 min)', undefined, kpi.mttr],
  ['driftwatch-drift', 'Rolling MTTR (24 h) vs 30 min target', undefined, kpi.mttr],
  ['driftwatch-drift', 'Time to resolve', undefined, kpi.mttr],
  ['driftwatch-drift', 'Incidents (resolution tracking)', 'alert_delay_s', kpi.detection],
  ['driftwatch-drift', 'Incidents (resolution tracking)', 'recovery_minutes', kpi.mttr],
  ['driftwatch-drift', 'Recovery success (target > 95 %)', undefined, kpi.recoverySuccess],
  ['driftwatch-drift', 'Coverage (target 100 %)', undefined, kpi.coverage],
  ['driftwatch-promotions', 'Success rate (target > 95 %)', undefined, kpi.promotionSuccess],
  ['driftwatch-promotions', 'Success rate by environment', undefined, kpi.promotionSuccess],
  ['driftwatch-promotions', 'Gate failure rate (target < 5 %)', undefined, kpi.gateFailure],
  ['driftwatch-promotions', 'Gate failure rate by gate', undefined, kpi.gateFailure],
  ['driftwatch-promotions', 'Gate performance', 'failure_rate', kpi.gateFailure],
  ['driftwatch-promotions', 'Snapshot health (target 100 %)', undefined, kpi.snapshotHealth],
  ['driftwatch-promotions', 'Mean duration (target < 5 min)', undefined, kpi.meanDuration],
  ['driftwatch-promotions', 'Promotion duration vs 5 min target', undefined, kpi.meanDuration],
  ['driftwatch-promotions', 'Rollback success (target > 99 %)', undefined, kpi.rollbackSuccess],
];

interface Step {
  value: number | null;
  color: string;
}

/** The colour Grafana gives a value: the last step whose value is at most it (the first step's null is -Infinity). */
const colourAt = (steps: Step[], value: number): string => steps.filter((s) => s.value === null || s.value <= value).at(-1)!.color;
const isRed = (colour: string): boolean => /red/i.test(colour);

/** The unit and threshold steps of a panel, or of one column's override in a table. */
function display(p: GrafanaPanel, column: string | undefined): { unit: unknown; steps: Step[] } {
  const defaults = p.fieldConfig!.defaults! as { unit?: string; thresholds?: { steps: Step[] } };
  if (column === undefined) return { unit: defaults.unit, steps: defaults.thresholds!.steps };
  const overrides = (p.fieldConfig as { overrides: Array<{ matcher: { id: string; options: string }; properties: Array<{ id: string; value: unknown }> }> }).overrides;
  const props = overrides.find((o) => o.matcher.id === 'byName' && o.matcher.options === column)!.properties;
  const prop = (id: string): unknown => props.find((x) => x.id === id)?.value;
  return { unit: prop('unit') ?? defaults.unit, steps: (prop('thresholds') as { steps: Step[] }).steps };
}

describe('the seed dashboards have the panels the seed lists', () => {
  for (const [uid, item, titles] of seedItems) {
    it(`${uid}: ${item}`, () => {
      expect(dashboards.has(uid), uid).toBe(true);
      for (const title of titles) expect(panel(uid, title), title).toBeDefined();
    });
  }
});

describe("panels showing a seed KPI turn red on the wrong side of the seed's target", () => {
  for (const [uid, title, column, { unit, target, better, strict }] of kpiPanels) {
    it(`${uid}/${title}${column ? ` (${column})` : ''}: ${better === 'lower' ? '<' : '>'} ${target} ${unit}`, () => {
      const p = panel(uid, title);
      expect(p, title).toBeDefined();
      const shown = display(p!, column);
      expect(shown.unit).toBe(unit);
      // Clear of the boundary on both sides: Grafana colours a value from the step it reaches (>=).
      const worse = better === 'lower' ? target * 1.01 : target - 0.005;
      const met = better === 'lower' ? target * 0.99 : Math.min(1, target + 0.005);
      expect(isRed(colourAt(shown.steps, worse)), `${worse} is red`).toBe(true);
      expect(isRed(colourAt(shown.steps, met)), `${met} is not red`).toBe(false);
      // Exactly at a strict target (19 of 20 promotions, 30 min to the second) the seed's KPI is not met.
      expect(isRed(colourAt(shown.steps, target)), `${target} is ${strict ? '' : 'not '}red`).toBe(strict);
      if (better === 'lower') expect(isRed(colourAt(shown.steps, 0)), '0 is not red').toBe(false);
      else expect(isRed(colourAt(shown.steps, 1)), '100 % is not red').toBe(false);
    });
  }

  it("puts the issue's five KPIs on the Framework Health Overview", () => {
    const overview = kpiPanels.filter(([uid]) => uid === 'driftwatch-overview').map(([, , , k]) => k);
    for (const k of [kpi.detection, kpi.mttr, kpi.promotionSuccess, kpi.gateFailure, kpi.snapshotHealth]) expect(overview).toContain(k);
  });
});
