/**
 * Differential runs of the replay pipeline (engine/pipeline.ts, store off):
 * NDJSON lines in arrival order → every fact the chain emits, and what a
 * comparison of two runs looks at — the alerts as published, the final
 * incidents, and every store table's logical rows as `SELECT … FINAL` would
 * return them (store/row-mappers.ts for the rows, the ORDER BY / version of
 * sql/migrations for what ReplacingMergeTree keeps).
 *
 * `runPartitioned` reads the lines with live mode's event time (per-partition
 * watermarks, the frontier set from outside after each batch);
 * `runWithRestart` is the live-mode restart between two records: the
 * topology's keyed and whole state (with live mode's recent eventIds) goes
 * through a JSON changelog into a fresh pipeline, event time resumes at the
 * committed frontier, and the records the orderer still held come again
 * (offset-tracker.ts: the safe offset, skipping `doneAbove`).
 */
import { createPipeline, type Pipeline, type PipelineCounters, type PipelineOptions } from '../../engine/pipeline.js';
import { PartitionWatermarks } from '../../engine/live/partition-watermarks.js';
import { partitionOfKey } from '../../topics/key-partition.js';
import { Prng } from '../../engine/demo/prng.js';
import { IncidentBook, toIncidentRecord } from '../../engine/incident-book.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import { RowMapper, type Row, type StoreRow } from '../../store/row-mappers.js';
import type { StoreTable } from '../../store/tables.js';
import type { Fact } from '../../processors/facts.js';
import type { AlertEvent } from '../../schemas/alert-event.js';
// WALL: a fixed wall clock for alert `emittedAt` (an alert's one wall-clock field) and the future-skew bound.
// alertIds are the engine's own (alert-id.ts: derived from the emission), so a comparison of two runs compares them
// too: a restarted run must give the ids of an uninterrupted one, which a consumer deduplicating on alertId relies on.
import { keysOf, TopologyChangelog, WALL } from '../unit/state/harness.js';

/** Live mode's default DRIFTWATCH_DEDUP_IDS_PER_KEY: the recent ids travel in each key's changelog record. */
const RECENT_IDS_PER_KEY = 16;

export interface RunResult {
  facts: Fact[];
  counters: PipelineCounters;
  /** The dead letters, in the order they came (the DLQ topic's records, dlq.ndjson's lines, the dead_letters rows). */
  deadLetters: DeadLetterSeen[];
}

/** A dead letter by what names it whatever the run: its line (arrival position), reason and bytes. */
export interface DeadLetterSeen {
  line: number | undefined;
  reason: string;
  raw: string;
}

function newPipeline(facts: Fact[], deadLetters: DeadLetterSeen[], extra: Pick<PipelineOptions, 'externalFrontier' | 'onEnvelope'> = {}): Pipeline {
  return createPipeline({
    ...extra,
    onDeadLetter: (d) => deadLetters.push({ line: d.source?.line, reason: d.reason, raw: String(d.raw) }),
    processing: defaultProcessingOptions,
    alerts: defaultAlertsConfig(),
    alerting: { now: () => WALL },
    writer: null,
    now: () => WALL,
    recentIdsPerKey: RECENT_IDS_PER_KEY,
    onFact: (f) => facts.push(f),
  });
}

/** One uninterrupted run over `lines` (in arrival order; line numbers are 1-based positions). */
export async function runLines(lines: readonly string[]): Promise<RunResult> {
  const facts: Fact[] = [];
  const deadLetters: DeadLetterSeen[] = [];
  const p = newPipeline(facts, deadLetters);
  lines.forEach((value, i) => p.push({ value, source: { line: i + 1 } }));
  await p.end();
  return { facts, counters: { ...p.counters }, deadLetters };
}

/**
 * Live mode's event time over the same lines: each line goes to its key's
 * partition (of `partitions`), keeping its order there; the partitions are
 * read in batches of a few records each, in a seeded interleaving (one may
 * run minutes ahead of another), and after each batch the frontier moves to
 * the minimum of the partitions' watermarks − lateness (PartitionWatermarks,
 * as engine/live/batch-intake.ts; the wall clock stands still, so no
 * partition goes idle). An event not late in its partition is not late for
 * the minimum either.
 */
export async function runPartitioned(lines: readonly string[], partitions: number, seed: number): Promise<RunResult> {
  const facts: Fact[] = [];
  const deadLetters: DeadLetterSeen[] = [];
  const lateness = defaultProcessingOptions.allowedLatenessMs;
  const watermarks = new PartitionWatermarks(lateness, 60_000);
  const tp = (partition: number) => `input-${partition}`;
  watermarks.assign(Array.from({ length: partitions }, (_, i) => tp(i)), WALL);
  const p = newPipeline(facts, deadLetters, {
    externalFrontier: true,
    onEnvelope: (envelope, duplicate) => {
      if (!duplicate) watermarks.observe(tp(envelope.source!.partition!), envelope.watermarkAt ?? envelope.at, WALL);
    },
  });
  const queues: number[][] = Array.from({ length: partitions }, () => []);
  lines.forEach((line, i) => queues[partitionOf(line, partitions)]!.push(i));
  const rng = new Prng(seed);
  const heads = queues.map(() => 0);
  for (let left = lines.length; left > 0; ) {
    const q = rng.int(0, partitions - 1);
    const take = Math.min(rng.int(1, 40), queues[q]!.length - heads[q]!);
    for (let n = 0; n < take; n++, left--) {
      const i = queues[q]![heads[q]!++]!;
      p.push({ value: lines[i]!, source: { line: i + 1, partition: q } });
    }
    p.advanceTo(watermarks.frontier(WALL));
  }
  await p.end();
  return { facts, counters: { ...p.counters }, deadLetters };
}

/**
 * Runs lines[0, cut) on one pipeline, then restarts on a fresh one restored
 * from a changelog of its state, which reads the records still buffered at
 * the cut again and then lines[cut..]. The deduplicator's memory is carried
 * over whole (minus the buffered records' ids, which come again as firsts):
 * it stands for live mode's, which also remembers ids from before the restart
 * (recent ids per key, producer retries close behind); a late duplicate
 * across a restart is outside this property.
 */
export async function runWithRestart(lines: readonly string[], cut: number, options: RestartOptions = {}): Promise<RunResult & { redelivered: number }> {
  const facts: Fact[] = [];
  const deadLetters: DeadLetterSeen[] = [];
  const a = newPipeline(facts, deadLetters);
  const changelog = new TopologyChangelog();
  // Which pushed records the orderer took (neither dead letters nor duplicates): they are buffered until released.
  const firsts = new Set<number>();
  for (let i = 0; i < cut; i++) {
    const before = a.counters.duplicates + a.counters.deadLetters;
    a.push({ value: lines[i]!, source: { line: i + 1 } });
    if (a.counters.duplicates + a.counters.deadLetters === before) firsts.add(i + 1);
    if (options.commitEvery !== undefined && (i + 1) % options.commitEvery === 0) changelog.write(a.topology);
  }
  // Still buffered at the cut: taken by the orderer, not released yet (line → eventId).
  const buffered = new Map<number, string>();
  for (const line of firsts) buffered.set(line, (JSON.parse(lines[line - 1]!) as { eventId: string }).eventId);
  for (const f of facts) if (f.kind === 'event' || f.kind === 'late') buffered.delete(f.envelope.source!.line!);

  // Incremental: the dirty keys since the last commit; otherwise every key's state, written at the cut.
  changelog.write(a.topology, options.commitEvery === undefined ? keysOf(facts) : []);
  const frontier = a.orderer.frontier;
  const pendingIds = new Set(buffered.values());
  const remembered = a.dedup.snapshot(Number.MAX_SAFE_INTEGER).filter(([id]) => !pendingIds.has(id));
  const counters = { ...a.counters };
  a.dispose();

  const b = newPipeline(facts, deadLetters);
  changelog.restoreInto(b.topology);
  b.dedup.restore(remembered);
  if (Number.isFinite(frontier)) b.advanceTo(frontier);
  const again = [...buffered.keys()].sort((x, y) => x - y);
  for (const line of again) b.push({ value: lines[line - 1]!, source: { line } });
  for (let i = cut; i < lines.length; i++) b.push({ value: lines[i]!, source: { line: i + 1 } });
  await b.end();
  for (const k of Object.keys(counters) as Array<keyof PipelineCounters>) counters[k] += b.counters[k];
  counters.records -= again.length; // the redelivered records were counted once before
  return { facts, counters, deadLetters, redelivered: again.length };
}

/** The partition of a line's key (of `partitions`); a line with none (unreadable, no env or artifact): partition 0's. */
function partitionOf(line: string, partitions: number): number {
  try {
    const { env, artifact } = JSON.parse(line) as { env?: unknown; artifact?: unknown };
    return typeof env === 'string' && typeof artifact === 'string' ? partitionOfKey(`${env}/${artifact}`, partitions) : 0;
  } catch {
    return 0;
  }
}

export interface RestartOptions {
  /**
   * Write the changelog as live mode does, the dirty keys (and the whole
   * state) every this many records and at the cut; unset: every key's state
   * once, at the cut.
   */
  commitEvery?: number;
}

export function alertsOf(facts: readonly Fact[]): AlertEvent[] {
  return facts.flatMap((f) => (f.kind === 'alert' ? [f.alert] : []));
}

/**
 * The alertIds of the emissions that are their instance's first firing (`firstFiring`: what
 * driftwatch_alert_detection_delay_seconds observes, once per instance — not again for an instance a restart or a
 * new owner restored), in emission order.
 */
export function firstFiringsOf(facts: readonly Fact[]): string[] {
  return facts.flatMap((f) => (f.kind === 'alert' && f.firstFiring === true ? [f.alert.alertId] : []));
}

export function incidentsOf(facts: readonly Fact[]): Array<ReturnType<typeof toIncidentRecord>> {
  const book = new IncidentBook();
  for (const f of facts) book.observe(f);
  return book.records();
}

/**
 * What ReplacingMergeTree keeps of a table (sql/migrations): one row per
 * ORDER BY key, the highest `version` or, without one, the last inserted.
 * Raw history rows drop their source position (`source_line`, partition…):
 * where an event came from is arrival order, not a result.
 */
const SOURCE = ['source_topic', 'source_partition', 'source_offset', 'source_line'];
const tableKeys: Partial<Record<StoreTable, { key: string[]; version?: string; drop?: string[] }>> = {
  promotion_events: { key: ['env', 'artifact', 'occurred_at', 'event_id'], drop: SOURCE },
  hydration_events: { key: ['env', 'artifact', 'occurred_at', 'event_id'], drop: SOURCE },
  index_events: { key: ['env', 'artifact', 'occurred_at', 'event_id'], drop: SOURCE },
  drift_windows: { key: ['env', 'artifact', 'window_start'] },
  env_windows: { key: ['env', 'window_start', 'instance_id'] },
  promotion_windows: { key: ['env', 'window_start', 'instance_id'] },
  gate_windows: { key: ['env', 'gate', 'window_start', 'instance_id'] },
  promotion_outcomes: { key: ['env', 'promotion_id'], version: 'version' },
  incidents: { key: ['env', 'artifact', 'incident_id'], version: 'version' },
  mttr_snapshots: { key: ['scope', 'window', 'as_of', 'instance_id'] },
  alerts: { key: ['fingerprint', 'event_time', 'status', 'severity', 'escalation_level', 'emission_key', 'instance_id'] },
  audit_log: { key: ['category', 'at', 'action', 'env', 'artifact', 'actor', 'subject_id', 'correlation_id', 'details'] },
};

/**
 * Every table's rows after FINAL, each table's rows in key order (insertion order does not matter to a reader).
 * `instanceOf`: the engine instance that emitted a fact (several members of a group), each with its own writer's
 * RowMapper, as live mode has; none: one replay. Rows mapped before (live mode's env-level rows of a commit, as its
 * changelog records keep them) are taken as they are.
 */
export function logicalStore(stored: ReadonlyArray<Fact | StoreRow>, instanceOf: (fact: Fact) => string | undefined = () => undefined): Record<string, Row[]> {
  const mappers = new Map<string | undefined, RowMapper>();
  const tables = new Map<StoreTable, Map<string, Row>>();
  const keep = (table: StoreTable, row: Row) => {
    const spec = tableKeys[table];
    if (!spec) throw new Error(`logicalStore: no key known for table ${table}`);
    const kept = { ...row };
    for (const c of spec.drop ?? []) delete kept[c];
    const key = JSON.stringify(spec.key.map((c) => kept[c] ?? null));
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = new Map()));
    const prev = rows.get(key);
    if (spec.version && prev && (prev[spec.version] as number) > (kept[spec.version] as number)) return;
    rows.set(key, kept);
  };
  for (const f of stored) {
    if (!('kind' in f)) {
      keep(f.table, f.row);
      continue;
    }
    const instanceId = instanceOf(f);
    let mapper = mappers.get(instanceId);
    if (!mapper) mappers.set(instanceId, (mapper = new RowMapper({ instanceId })));
    mapper.map(f, keep);
  }
  const out: Record<string, Row[]> = {};
  for (const [table, rows] of [...tables].sort(([x], [y]) => (x < y ? -1 : 1))) {
    out[table] = [...rows].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, row]) => row);
  }
  return out;
}
