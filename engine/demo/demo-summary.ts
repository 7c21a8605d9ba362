/**
 * The closing summary of `driftwatch demo`: incidents found vs injected
 * (matched by kind, key and start; missed and unexpected ones listed),
 * detection delays (SPEC §4.4: ≤ 5 min, always), MTTR, alerts by rule and
 * severity, and queries to explore the store.
 */
import type { PipelineCounters } from '../pipeline.js';
import type { Incident } from '../../processors/facts.js';
import { mean, quantile } from '../../lib/quantiles.js';
import { MINUTE } from '../../lib/time.js';
import { severities, type Severity } from '../../schemas/alert-event.js';
import { matchIncidents, type InjectedIncident, type MatchReport } from './ground-truth.js';
import type { GeneratorStats } from './scenario-generator.js';
import { injectedKinds, type ScenarioOptions } from './scenario-options.js';
import type { DemoTally } from './demo-tally.js';

/** SPEC §4.4: detectedAt − startedAt ≤ 5 min, always. */
export const MAX_DETECTION_DELAY_MS = 5 * MINUTE;

export interface DemoRun {
  scenario: ScenarioOptions;
  generator: GeneratorStats;
  pipeline: PipelineCounters;
  injected: readonly InjectedIncident[];
  tally: DemoTally;
  wallMs: number;
  /** True when a signal (Ctrl-C, SIGTERM) ended the run. */
  interrupted: boolean;
  /** null when the run did not write a store. */
  storeDir: string | null;
  transport: string;
}

export interface Stats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}

export interface DemoSummary {
  match: MatchReport;
  /** detectedAt − startedAt over every incident found. */
  detection: Stats;
  detectionOk: boolean;
  /**
   * Recovery times of incidents resolved while events were generated. An
   * incident resolved only by the end-of-input flush (a stopped --forever run:
   * silent sources expire at +∞) counts as open: its "recovery" is an artefact.
   */
  mttr: Array<{ scope: string; resolved: Stats; open: number; closedByEnd: number }>;
  alerts: Array<{ rule: string; bySeverity: Record<Severity, number>; total: number }>;
  /**
   * Alert instances still firing when the run ended, the highest severity
   * first: what the last progress line counts ("alerts firing 0 crit, 1 high").
   * The end of input moves event time past every end a rule's time alone
   * decides (a rate rule's window, snapshot_not_verified's, a silent source's
   * expiry), so what is left is what nothing ended.
   */
  firing: { bySeverity: Record<Severity, number>; alerts: Array<{ rule: string; env: string; artifact: string; severity: Severity }> };
  /** What the end of input resolved (DemoTally.resolvedAfter the last generated event): not part of the scenario's span. */
  endOfInput: { alerts: Array<{ rule: string; count: number }>; incidents: number };
  queries: string[];
}

function stats(values: number[]): Stats {
  return {
    count: values.length,
    meanMs: mean(values) ?? null,
    p50Ms: quantile(values, 0.5) ?? null,
    p90Ms: quantile(values, 0.9) ?? null,
    maxMs: values.length ? Math.max(...values) : null,
  };
}

export function summarizeDemo(run: DemoRun): DemoSummary {
  const found = run.tally.incidents.incidents();
  const match = matchIncidents(run.injected, found, run.generator.lastEventAt);
  const detection = stats(found.map((i) => i.detectedAt - i.startedAt));
  const mttr = (['state', 'determinism', 'all'] as const).map((scope) => {
    const inScope = found.filter((i) => scope === 'all' || i.kind === scope);
    const lastEventAt = run.generator.lastEventAt;
    const resolved = inScope.filter((i) => i.resolvedAt !== null && i.resolvedAt <= lastEventAt).map((i) => i.resolvedAt! - i.startedAt);
    const closedByEnd = inScope.filter((i) => i.resolvedAt !== null && i.resolvedAt > lastEventAt).length;
    return { scope, resolved: stats(resolved), open: inScope.length - resolved.length, closedByEnd };
  });
  const byRule = new Map<string, Record<Severity, number>>();
  for (const a of run.tally.alertInstances()) {
    const row = byRule.get(a.rule) ?? { critical: 0, high: 0, medium: 0, low: 0 };
    row[a.severity]++;
    byRule.set(a.rule, row);
  }
  const alerts = [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, bySeverity]) => ({ rule, bySeverity, total: severities.reduce((s, v) => s + bySeverity[v], 0) }));
  const firing = {
    bySeverity: run.tally.firingBySeverity(),
    alerts: run.tally.firingAlerts().map(({ rule, env, artifact, severity }) => ({ rule, env, artifact, severity })),
  };
  const endOfInput = run.tally.resolvedAfter(run.generator.lastEventAt);
  return { match, detection, detectionOk: (detection.maxMs ?? 0) <= MAX_DETECTION_DELAY_MS, mttr, alerts, firing, endOfInput, queries: run.storeDir ? exploreQueries(run.storeDir) : [] };
}

/** Human durations: 0 ms, 850 ms, 42 s, 6 min 12 s, 1 h 05 min. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = new Intl.NumberFormat('en-US');

function shellQuote(text: string): string {
  return /^[\w./:@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `driftwatch query` lines the summary prints, to paste into the shell the
 * demo ran from: `npx` finds the command there (it is on no PATH after
 * `npm install`). Alerts are counted per alert instance, as the summary counts
 * them, beside their emissions (a firing alert is re-emitted as it escalates).
 */
export function exploreQueries(storeDir: string): string[] {
  const q = (sql: string) => `npx driftwatch query --data-dir ${shellQuote(storeDir)} "${sql}"`;
  return [
    q('SELECT kind, env, artifact, rule_id, started_at, detected_at, resolved_at, reason, recovery_ms FROM driftwatch.incidents FINAL ORDER BY started_at'),
    q("SELECT rule, severity, uniqExact(fingerprint, starts_at) AS alerts, countIf(status = 'firing') AS firing_emissions, countIf(status = 'resolved') AS resolved FROM driftwatch.alerts FINAL GROUP BY rule, severity ORDER BY rule, severity"),
    q("SELECT scope, as_of, resolved_count, round(mean_ms / 60000, 1) AS mean_min, round(p90_ms / 60000, 1) AS p90_min, open_incidents FROM driftwatch.mttr_snapshots FINAL WHERE window = '1h' AND resolved_count > 0 ORDER BY as_of DESC, scope LIMIT 12"),
    q('SELECT env, artifact, window_start, sources, divergent_sources, divergent_observations FROM driftwatch.drift_windows FINAL WHERE divergent_sources > 0 ORDER BY window_start LIMIT 20'),
    q('SELECT env, sum(started) AS started, sum(succeeded) AS succeeded, sum(failed) AS failed, sum(rolled_back) AS rolled_back, sum(snapshots_unverified) AS unverified_snapshots FROM driftwatch.promotion_windows FINAL GROUP BY env ORDER BY env'),
  ];
}

function describeIncident(i: Incident): string {
  return `${i.kind} ${i.env}/${i.artifact}${i.ruleId ? ` rule ${i.ruleId}` : ''} started ${iso(i.startedAt)}${i.resolvedAt !== null ? `, resolved ${iso(i.resolvedAt)} (${i.reason})` : ', still open'}`;
}

/** Firing alerts listed one per line up to this many; the rest are counted (a large run can end with hundreds). */
export const MAX_FIRING_LISTED = 10;

/** The alerts still firing at the end, counted as the progress line counts them, and the first few listed. */
function formatFiring(f: DemoSummary['firing']): string[] {
  const total = f.alerts.length;
  const counts = severities.map((v) => `${f.bySeverity[v]} ${v}`).join(', ');
  const out = [`Still firing at the end: ${total === 0 ? 'none' : `${total} (${counts})`}`];
  for (const a of f.alerts.slice(0, MAX_FIRING_LISTED)) {
    const scope = a.env || a.artifact ? ` ${a.env}/${a.artifact}` : '';
    out.push(`  ${a.rule}${scope} ${a.severity}`);
  }
  if (total > MAX_FIRING_LISTED) out.push(`  … and ${total - MAX_FIRING_LISTED} more`);
  return out;
}

/** The incidents line, then injected and found per kind (a kind the scenario left out only if some were injected). */
function injectedByKind(run: DemoRun, m: MatchReport): string[] {
  const verdict = m.missed.length === 0 && m.unexpected.length === 0 ? 'all found, none unexpected' : `${m.missed.length} MISSED, ${m.unexpected.length} unexpected`;
  const out = [
    `Incidents: ${m.expected} injected, ${m.matched.length} matched, ${run.tally.incidents.size} found — ${verdict}`,
    `  ${'injected kind'.padEnd(24)}${'injected'.padStart(9)}${'found'.padStart(7)}${'missed'.padStart(8)}`,
  ];
  for (const kind of injectedKinds) {
    const injected = run.injected.filter((i) => i.armed && i.scenario === kind).length;
    const found = m.matched.filter((x) => x.injected.scenario === kind).length;
    if (injected === 0 && !run.scenario.kinds.includes(kind)) continue;
    out.push(`  ${kind.padEnd(24)}${String(injected).padStart(9)}${String(found).padStart(7)}${String(injected - found).padStart(8)}`);
  }
  return out;
}

/**
 * The incidents line of a run that injected nothing (a short --duration, or a stop before the first episode): "0
 * injected … all found" claimed a check that had nothing to check. Episodes are random, and only whole ones are
 * injected (episode-planner.ts), so a longer run gets some. What was found anyway is unexpected.
 */
function nothingInjected(run: DemoRun, m: MatchReport): string {
  const why = run.interrupted ? 'before the stop' : 'in this run (episodes come now and then, whole ones only: try a longer --duration)';
  return `Incidents: none injected ${why}, ${run.tally.incidents.size} found${m.unexpected.length > 0 ? ` — ${m.unexpected.length} unexpected` : ''}`;
}

const plural = (n: number, one: string, many: string) => (n === 0 ? `no ${one}` : `${num.format(n)} ${n === 1 ? one : many}`);

/**
 * What the end of input resolved, said apart from the scenario's span: the engine's event time went past every window
 * and timer then (a day past the last event for snapshot_not_verified), which the progress line does not show as event
 * time. Nothing when it resolved nothing.
 */
function formatEndOfInput(e: DemoSummary['endOfInput']): string | null {
  const alerts = e.alerts.reduce((n, a) => n + a.count, 0);
  if (alerts === 0 && e.incidents === 0) return null;
  const byRule = alerts > 0 ? ` (${e.alerts.map((a) => `${a.rule} ${a.count}`).join(', ')})` : '';
  return `End of input: event time was moved past every window and timer after the last event; that resolved ${plural(alerts, 'alert', 'alerts')}${byRule} and ${plural(e.incidents, 'incident', 'incidents')}.`;
}

export function formatDemoSummary(run: DemoRun, s: DemoSummary): string {
  const o = run.scenario;
  const g = run.generator;
  const m = s.match;
  const out: string[] = [];
  const span = Number.isFinite(g.lastEventAt) ? `${iso(o.startAt)} → ${iso(g.lastEventAt)}` : 'no events';
  out.push('');
  out.push(`driftwatch demo — seed ${o.seed}, ${num.format(g.records)} records over ${span}${run.interrupted ? ' (stopped by signal)' : ''}`);
  out.push(`  events: ${num.format(g.events)} generated, ${num.format(g.duplicates)} duplicates, ${num.format(g.malformed)} malformed; engine: ${num.format(run.pipeline.events)} processed, ${num.format(run.pipeline.duplicates)} duplicates dropped, ${num.format(run.pipeline.deadLetters)} dead-lettered, ${num.format(run.pipeline.late)} late`);
  out.push(`  ${(run.wallMs / 1000).toFixed(1)} s wall time, ${num.format(Math.round(g.records / Math.max(run.wallMs / 1000, 1e-3)))} records/s, transport ${run.transport}${run.storeDir ? `, store ${run.storeDir}` : ', no store'}`);
  out.push('');
  out.push(...(m.expected === 0 ? [nothingInjected(run, m)] : injectedByKind(run, m)));
  for (const { injected: i, nearest } of m.missed) {
    out.push(`  MISSED ${i.id} ${i.scenario} ${i.env}/${i.artifact}${i.ruleId ? ` rule ${i.ruleId}` : ''}: expected start ${iso(i.startsAt)}${nearest ? `; nearest found: ${describeIncident(nearest)}` : '; nothing found for that key'}`);
  }
  for (const i of m.unexpected) out.push(`  UNEXPECTED ${describeIncident(i)}`);
  if (m.cutOff.length > 0) out.push(`  (${m.cutOff.length} incident(s) started after the last generated event: episodes cut short by the stop, not counted)`);
  const d = s.detection;
  out.push('');
  // Over no incident there is no delay to hold against the requirement (a bare "within" would check nothing against nothing).
  out.push(
    d.count === 0
      ? 'Detection delay (detectedAt − startedAt, event time): no incident found, nothing to measure'
      : `Detection delay (detectedAt − startedAt, event time): max ${formatDuration(d.maxMs)}, mean ${formatDuration(d.meanMs)}, p90 ${formatDuration(d.p90Ms)} over ${d.count} incidents — ${s.detectionOk ? 'within' : 'VIOLATES'} the 5 min requirement`,
  );
  out.push('MTTR (resolvedAt − startedAt):');
  for (const r of s.mttr) {
    out.push(`  ${r.scope.padEnd(12)} ${String(r.resolved.count).padStart(4)} resolved  mean ${formatDuration(r.resolved.meanMs).padEnd(12)} p50 ${formatDuration(r.resolved.p50Ms).padEnd(12)} p90 ${formatDuration(r.resolved.p90Ms).padEnd(12)} open ${r.open}${r.closedByEnd ? ` (${r.closedByEnd} closed only by the end-of-input flush)` : ''}`);
  }
  out.push('');
  out.push(`Alerts (instances by rule and highest severity; ${num.format(run.tally.alertEmissions)} alert events emitted):`);
  out.push(`  ${'rule'.padEnd(28)}${severities.map((v) => v.padStart(10)).join('')}${'total'.padStart(8)}`);
  for (const r of s.alerts) out.push(`  ${r.rule.padEnd(28)}${severities.map((v) => String(r.bySeverity[v]).padStart(10)).join('')}${String(r.total).padStart(8)}`);
  if (s.alerts.length === 0) out.push('  none');
  out.push(...formatFiring(s.firing));
  const endLine = formatEndOfInput(s.endOfInput);
  if (endLine) out.push(endLine);
  if (s.queries.length > 0) {
    out.push('');
    out.push('Explore the results:');
    for (const q of s.queries) out.push(`  ${q}`);
  }
  return out.join('\n') + '\n';
}
