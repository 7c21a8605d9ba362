/**
 * `npm run bench:kafka`: live mode against a real broker (KAFKA_BROKERS,
 * default 127.0.0.1:9092), in one run:
 *
 *   (a) engine throughput: a fixed load (the demo generator) is produced to
 *       the input topics first; then `driftwatch run` starts, and the clock
 *       runs from its group join until the group's committed offsets reach
 *       the end offsets (committed = decoded, ordered, processed, stored,
 *       and its outputs, state and offsets committed in a transaction);
 *   (b) a raw kafkajs consumer reading the same topics, no processing;
 *       (a)/(b) is the ratio the engine is held to (target ≥ 0.7);
 *   (c) drift-alert latency at ~10,000 events/s with event time = wall time
 *       (kafka-bench-latency.ts), with a low DRIFTWATCH_ALLOWED_LATENESS.
 *
 * Besides wall time, (a) and (b) report main-thread CPU per record, and (a)
 * and (c) the engine process's (thread-cpu.ts, read from /proc): on shared
 * cores CPU time moves far less than wall time, and the engine's against the
 * raw consumer's says how much of its cost is kafkajs's own fetching.
 *
 * Prints a table and writes bench/results/kafka-latest.json. Knobs
 * (kafka-bench-knobs.ts, bench/README.md):
 * BENCH_EVENTS (1000000), BENCH_KEYS (200), BENCH_PARTITIONS (6),
 * BENCH_LATENCY_SECONDS (30), BENCH_LATENCY_RATES (10000,2000: one
 * latency run per rate; the first is the headline),
 * BENCH_LATENESS (200ms), BENCH_IDLE_TIMEOUT (300ms), BENCH_CPU_PROF=<dir>
 * (writes a V8 CPU profile of the engine during (a)), BENCH_ENGINE_NODE_ARGS
 * (node flags for the engine process, e.g. --max-semi-space-size=64).
 *
 * Latency configuration: both knobs are the low-latency end of what the
 * engine offers (defaults: 30 s and 10 s). The idle timeout matters because
 * the promotion topic is sparse — at 10,000 events/s its partitions see an
 * event every few hundred ms, and the newest of them holds the minimum
 * watermark back until it is left out as idle (after the timeout and the
 * broker's confirmation that nothing waits). A timeout near the lateness
 * keeps that wait short without making late events: a record arriving in a
 * partition that was left out is at most its produce-to-consume delay behind
 * the others, well inside 2 × lateness. The (c) row prints both settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createScenario } from '../engine/demo/scenario-generator.js';
import { optionsForRecords } from '../engine/demo/scenario-options.js';
import { benchKafka, benchProducer, committedVsEnd, createBenchDeployment, sendRecords, tickRecords, type BenchRecord } from './kafka-bench-setup.js';
import { BenchEngine } from './kafka-bench-engine.js';
import { rawConsume } from './kafka-bench-raw.js';
import { measureLatency } from './kafka-bench-latency.js';
import { printTable, quantile } from './kafka-bench-report.js';
import { kafkaBenchKnobs } from './kafka-bench-knobs.js';

const env = process.env;
const brokers = (env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim());
const { events, keys, partitions, latencySeconds, latencyRates, lateness, idleTimeout, cpuProfDir, engineNodeArgs } = knobsOrExit();

/** A bad knob is the user's mistake: one line naming it and exit 2, as the CLI does, not a stack trace. */
function knobsOrExit(): ReturnType<typeof kafkaBenchKnobs> {
  try {
    return kafkaBenchKnobs(env);
  } catch (err) {
    process.stderr.write(`bench:kafka: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '../../bench/results');

const log = (msg: string) => process.stderr.write(`[bench:kafka] ${msg}\n`);

async function throughput() {
  const kafka = benchKafka(brokers);
  const d = await createBenchDeployment(kafka, brokers, 'tput', partitions);
  try {
    const load: BenchRecord[] = [];
    for (const r of createScenario(optionsForRecords(events, keys))) load.push({ value: r.value, key: r.key, type: r.type });
    const ticks = tickRecords(partitions);
    const producer = await benchProducer(kafka);
    const produceStart = Date.now();
    await sendRecords(producer, d, load);
    await sendRecords(producer, d, ticks);
    const produceMs = Date.now() - produceStart;
    await producer.disconnect();
    log(`produced ${load.length} records in ${produceMs} ms`);

    const raw = await rawConsume(kafka, d.inputs, load.length + ticks.length);
    log(`raw consumer: ${raw.records} records in ${raw.doneAt - raw.joinedAt} ms`);
    const parsed = await rawConsume(kafka, d.inputs, load.length + ticks.length, { parse: true });
    log(`raw consumer + JSON.parse: ${parsed.records} records in ${parsed.doneAt - parsed.joinedAt} ms`);

    const spawned = Date.now();
    const engine = await BenchEngine.start({ ...d.env, DRIFTWATCH_INSTANCE_ID: 'bench' }, [...engineNodeArgs, ...(cpuProfDir !== null ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])]);
    const joined = await engine.waitFor('joined group; state will be restored');
    const cpuAtJoin = engine.cpu();
    const admin = kafka.admin();
    await admin.connect();
    let done = 0;
    let cpuAtDone = cpuAtJoin;
    try {
      // Every partition ends with one far-future tick, which is never released (nothing passes it): committed = end − 1.
      for (const deadline = Date.now() + 600_000; ; ) {
        const gaps = await committedVsEnd(admin, d.groupId, d.inputs);
        if (gaps.every((g) => g.committed >= g.end - 1)) break;
        if (Date.now() > deadline) throw new Error(`engine did not commit to the end: ${JSON.stringify(gaps)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      done = Date.now();
      cpuAtDone = engine.cpu();
    } finally {
      await admin.disconnect();
    }
    const metrics = await engine.metrics();
    const late = lateEvents(metrics);
    const commits = commitsOf(metrics);
    log(`engine: ${commits} commits`);
    await engine.stop();
    const engineMs = done - joined;
    return {
      records: load.length,
      produceMs,
      engine: {
        ms: engineMs,
        startupMs: joined - spawned,
        eventsPerSec: load.length / (engineMs / 1000),
        lateEvents: late,
        commits,
        // CPU per record from the group join to the last commit: the main thread (the engine's JavaScript), and all of
        // the process's threads (adding GC helpers and the embedded store). Wall time on shared cores swings; these less.
        mainThreadUsPerRecord: usPerRecord(cpuAtJoin.mainThreadMs, cpuAtDone.mainThreadMs, load.length),
        processUsPerRecord: usPerRecord(cpuAtJoin.processMs, cpuAtDone.processMs, load.length),
      },
      raw: { ms: raw.doneAt - raw.joinedAt, eventsPerSec: raw.records / ((raw.doneAt - raw.joinedAt) / 1000), bytes: raw.bytes, mainThreadUsPerRecord: raw.mainThreadUsPerRecord },
      rawParsed: { ms: parsed.doneAt - parsed.joinedAt, eventsPerSec: parsed.records / ((parsed.doneAt - parsed.joinedAt) / 1000), mainThreadUsPerRecord: parsed.mainThreadUsPerRecord },
    };
  } finally {
    await d.cleanup();
  }
}

async function latency(latencyRate: number) {
  const kafka = benchKafka(brokers);
  const d = await createBenchDeployment(kafka, brokers, 'lat', partitions, { DRIFTWATCH_ALLOWED_LATENESS: lateness, DRIFTWATCH_IDLE_TIMEOUT: idleTimeout });
  const engine = await BenchEngine.start({ ...d.env, DRIFTWATCH_INSTANCE_ID: 'bench' }, engineNodeArgs);
  try {
    await engine.waitFor('joined group; state will be restored');
    const cpuAtJoin = engine.cpu();
    const r = await measureLatency(kafka, d, { ratePerSec: latencyRate, durationMs: latencySeconds * 1000, keys: 500, injectEveryMs: 250, warmupMs: 5000 });
    const cpuAtEnd = engine.cpu();
    log(`latency: ${r.fired}/${r.injected} divergent events alerted; ${r.sent} records at ${Math.round(r.achievedRatePerSec)}/s`);
    if (r.fired < r.injected) {
      const m = (await engine.metrics()).split('\n').filter((l) => /^driftwatch_(late_events|events_in|incident_changes|watermark|dead_lettered)/.test(l));
      log(`not every divergent event was alerted; engine metrics:\n${m.join('\n')}`);
    }
    // Late events would mean the latency settings cost correctness: report them with the figures.
    const metrics = await engine.metrics();
    // At a steady rate the engine commits as often as alerts wait and commits complete: its CPU per record includes them.
    return { ...r, lateEvents: lateEvents(metrics), commits: commitsOf(metrics), mainThreadUsPerRecord: usPerRecord(cpuAtJoin.mainThreadMs, cpuAtEnd.mainThreadMs, r.sent) };
  } finally {
    await engine.stop();
    await d.cleanup();
  }
}

function usPerRecord(beforeMs: number | undefined, afterMs: number | undefined, records: number): number | null {
  return beforeMs === undefined || afterMs === undefined ? null : Number((((afterMs - beforeMs) * 1000) / records).toFixed(2));
}

/** One observation of the processing-latency histogram per commit (each commit flushes the store: one insert per table). */
function commitsOf(metrics: string): number {
  return Number(/^driftwatch_processing_latency_seconds_count (\S+)$/m.exec(metrics)?.[1] ?? 'NaN');
}

function lateEvents(metrics: string): number {
  return Number(/^driftwatch_late_events_total (\S+)$/m.exec(metrics)?.[1] ?? 'NaN');
}

const t = await throughput();
const runs = [];
for (const rate of latencyRates) runs.push(await latency(rate));
const latencyOf = (l: Awaited<ReturnType<typeof latency>>) => {
  const sorted = [...l.latenciesMs].sort((a, b) => a - b);
  return {
    ratePerSec: Math.round(l.achievedRatePerSec),
    injected: l.injected,
    fired: l.fired,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? null,
    lateEvents: l.lateEvents,
    commits: l.commits,
    mainThreadUsPerRecord: l.mainThreadUsPerRecord,
    latenciesMs: sorted,
  };
};
const ratio = t.engine.eventsPerSec / t.raw.eventsPerSec;
const result = {
  at: new Date().toISOString(),
  brokers,
  load: { records: t.records, keys, partitions, produceMs: t.produceMs },
  throughput: {
    engineEventsPerSec: Math.round(t.engine.eventsPerSec),
    rawEventsPerSec: Math.round(t.raw.eventsPerSec),
    ratio: Number(ratio.toFixed(3)),
    target: 0.7,
    // Context, not the target: the same consumer JSON.parsing each value, and the engine against it.
    rawParsedEventsPerSec: Math.round(t.rawParsed.eventsPerSec),
    ratioToParsed: Number((t.engine.eventsPerSec / t.rawParsed.eventsPerSec).toFixed(3)),
    engine: t.engine,
    raw: t.raw,
    rawParsed: t.rawParsed,
  },
  latency: {
    allowedLateness: lateness,
    idleTimeout,
    runs: runs.map(latencyOf),
    // With the default 30 s lateness an event waits for the frontier (newest − 2 × lateness) on purpose.
    defaultLatenessFloorMs: 2 * 30_000,
  },
};
printTable(result);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'kafka-latest.json'), JSON.stringify(result, null, 2) + '\n');
log(`wrote ${join(resultsDir, 'kafka-latest.json')}`);
