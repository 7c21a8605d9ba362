/**
 * `driftwatch demo` (SPEC §7): synthetic producers with injected drift run
 * through the engine on the embedded store (<DRIFTWATCH_DATA_DIR>/store,
 * replaced on every demo run), with live progress on stderr and a closing
 * summary on stdout. Exit 0 even when an injected incident was missed: the
 * summary says so in capitals.
 */
import type { Command } from '../command.js';
import { UsageError } from '../../lib/errors.js';
import { DAY, MINUTE, parseDuration } from '../../lib/time.js';
import { loadRuntime } from '../runtime.js';
import { demoStoreDir } from '../../engine/demo/demo-store.js';
import { checkDataDir } from '../../store/data-dir-check.js';
import { formatDemoSummary } from '../../engine/demo/demo-summary.js';
import { defaultScenarioOptions, envsProblem, estimateRecords, keyCount, resolveScenarioOptions, type ScenarioInput } from '../../engine/demo/scenario-options.js';

/** A bounded demo takes about this long by default, so the progress line is visible but nobody waits. */
const TARGET_WALL_SECONDS = 3;
/** --forever starts this far in the past and catches up at full speed, so incidents show up at once. */
const FOREVER_BACKFILL_MS = 30 * MINUTE;

/**
 * Upper bounds of the size options. Memory grows with the number of sources (keys × (replicas + index instances): the
 * generator schedules each one and the engine keeps per-source state per window) and wall time with the number of
 * records (the engine does ~50–100k records/s in process). Measured: 20,000 sources over 4 h of event time (~10 M
 * records) take ~3 min and ~800 MB; 30 days at the default sizes (~5.5 M records) take ~45 s and ~320 MB. Beyond these
 * a run used to exhaust the heap (--replicas 1e9) or run for days (--duration 1000000d, which also put event times
 * before year 0). Each option has its own range, and the two products are capped as well, since every option within
 * its range can still multiply into an impossible run.
 */
const MAX_ENVS = 100;
const MAX_ARTIFACTS = 1000;
const MAX_REPLICAS = 1000;
const MAX_INDEX_INSTANCES = 1000;
const MAX_SOURCES = 20_000;
const MAX_RECORDS = 10_000_000;
/** 30 days: ~5.5 M records at the default sizes, and a start time that stays decades after 1970. */
const MAX_DURATION_MS = 30 * DAY;
/** Far above what the engine sustains (so never the limit in practice); 0 already means unpaced. */
const MAX_RATE = 1_000_000;
/** The scenario's random generator takes the seed modulo 2^32: larger (or negative) seeds would silently repeat one. */
const MAX_SEED = 2 ** 32 - 1;

function intOption(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer ${min}..${max}, got "${String(value)}"`);
  return n;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'synthetic producers with injected drift through the engine, with live progress and a summary',
  description:
    'Generates promotions, hydrations and index operations for every env × artifact (deterministic per --seed), injects\n' +
    'incidents (lagging replicas, rogue versions, a sticky canary, stuck rollbacks, a nondeterministic rule) and checks what\n' +
    'the engine finds against them. Data goes to the embedded store <DRIFTWATCH_DATA_DIR>/store, which each demo run\n' +
    'replaces (a store the demo did not write is never touched); explore it afterwards with `driftwatch query`.\n' +
    `Bounded runs span --duration of event time and take about ${TARGET_WALL_SECONDS} s of wall time (see --rate); --forever starts\n` +
    `${FOREVER_BACKFILL_MS / MINUTE} min in the past, catches up, then runs in real time until Ctrl-C / SIGTERM and prints the summary.\n` +
    `Size limits: envs × artifacts × (replicas + index instances) ≤ ${fmt(MAX_SOURCES)} sources, and a bounded run ≤ ${fmt(MAX_RECORDS)}\n` +
    'records (one per source every ~30 s of --duration). One demo per DRIFTWATCH_DATA_DIR at a time.',
  options: {
    duration: { type: 'string', short: 'd', doc: 'event-time span of a bounded run, e.g. 30m, 2h, 1d; at most 30d', default: '2h', valueName: '<span>' },
    seed: { type: 'string', doc: `seed of the scenario, 0..${MAX_SEED} (same seed, same events and incidents)`, default: '1', valueName: '<n>' },
    rate: {
      type: 'string',
      doc: `records per second of wall time, 0..${fmt(MAX_RATE)}; 0 = unpaced (default: the run takes ~${TARGET_WALL_SECONDS} s)`,
      valueName: '<n>',
    },
    forever: { type: 'boolean', doc: 'keep generating in real time until SIGINT/SIGTERM, then print the summary', default: false },
    envs: { type: 'string', doc: `comma-separated environments, 1..${MAX_ENVS} of them`, default: 'dev,staging,prod', valueName: '<list>' },
    artifacts: { type: 'string', doc: `artifacts per environment, 1..${MAX_ARTIFACTS}`, default: '4', valueName: '<n>' },
    replicas: { type: 'string', doc: `hydration replicas per env/artifact, 1..${MAX_REPLICAS}`, default: '3', valueName: '<n>' },
    'index-instances': { type: 'string', doc: `index instances per env/artifact, 0..${MAX_INDEX_INSTANCES}`, default: '2', valueName: '<n>' },
    alerts: { type: 'string', doc: 'alerts.yaml to use (default: DRIFTWATCH_ALERTS_FILE, else built-in rules)', valueName: '<file>' },
    'no-store': { type: 'boolean', doc: 'do not write the embedded store', default: false },
  },
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const v = args.values;
    const forever = v.forever === true;
    // --duration bounds a run that --forever never ends: one of them was not meant (it used to be ignored silently).
    if (forever && args.given?.has('duration')) throw new UsageError('--duration bounds a run and --forever runs until stopped: give one of them');
    // Sizes first, before the runtime and the store: a run too big to finish fails before anything is touched.
    const spanMs = parseDuration(String(v.duration));
    if (!(spanMs > 0 && spanMs <= MAX_DURATION_MS)) {
      throw new UsageError(`--duration: expected a duration such as 30m, 2h or 1d, greater than 0 and at most 30d, got "${String(v.duration)}"`);
    }
    const seed = intOption('seed', v.seed, 0, MAX_SEED)!;
    const envs = String(v.envs).split(',').map((e) => e.trim()).filter(Boolean);
    if (envs.length < 1 || envs.length > MAX_ENVS) throw new UsageError(`--envs: expected 1..${MAX_ENVS} comma-separated environments, got ${envs.length}`);
    const envsWrong = envsProblem(envs);
    if (envsWrong !== undefined) throw new UsageError(`--envs: ${envsWrong}`);
    const replicas = intOption('replicas', v.replicas, 1, MAX_REPLICAS);
    const indexInstances = intOption('index-instances', v['index-instances'], 0, MAX_INDEX_INSTANCES);
    const artifactsPerEnv = intOption('artifacts', v.artifacts, 1, MAX_ARTIFACTS);
    const rate = v.rate === undefined ? undefined : Number(v.rate);
    if (rate !== undefined && !(rate >= 0 && rate <= MAX_RATE)) {
      throw new UsageError(`--rate: expected records per second 0..${fmt(MAX_RATE)}, got "${String(v.rate)}"`);
    }
    const rt = loadRuntime(ctx, { alertsFile: v.alerts as string | undefined });
    const processing = rt.config.processing;
    const windowMs = processing.windowMs;
    const now = Date.now();
    const startAt = forever ? now - FOREVER_BACKFILL_MS : Math.floor((now - spanMs) / windowMs) * windowMs;
    // Event times before 1970 are negative epoch ms, which the timestamp parser and the store do not expect (and
    // --duration 1000000d once produced year -000711). Only a clock set near 1970 gets here within MAX_DURATION_MS.
    if (startAt < 0) {
      throw new UsageError(`--duration: ${String(v.duration)} before now (${new Date(now).toISOString()}) starts before 1970; choose a shorter span or fix the clock`);
    }
    const input: ScenarioInput = {
      seed,
      startAt,
      spanMs: forever ? Number.POSITIVE_INFINITY : spanMs,
      envs,
      artifactsPerEnv,
      replicas,
      indexInstances,
      // Two rules per key by default, but each rule needs a replica to run it: --replicas 1 means one rule.
      ...(replicas !== undefined ? { rulesPerKey: Math.min(defaultScenarioOptions.rulesPerKey, replicas) } : {}),
      engine: processing,
    };
    const scenario = resolveScenarioOptions(input); // fails fast, naming the option
    const sources = keyCount(scenario) * (scenario.replicas + scenario.indexInstances);
    if (sources > MAX_SOURCES) {
      throw new UsageError(
        `--envs × --artifacts × (--replicas + --index-instances): ${scenario.envs.length} × ${scenario.artifactsPerEnv} × ` +
          `(${scenario.replicas} + ${scenario.indexInstances}) = ${fmt(sources)} sources, at most ${fmt(MAX_SOURCES)} allowed; lower one of them`,
      );
    }
    const records = estimateRecords(scenario);
    if (!forever && records > MAX_RECORDS) {
      throw new UsageError(
        `--duration: ${String(v.duration)} × ${fmt(sources)} sources (one record each every ~30 s) ≈ ${fmt(records)} records, ` +
          `at most ${fmt(MAX_RECORDS)} allowed; shorten --duration or lower --envs, --artifacts, --replicas or --index-instances`,
      );
    }
    const pace = rate ?? (forever ? 0 : Math.ceil(records / TARGET_WALL_SECONDS));
    if (!v['no-store']) checkDataDir(rt.config.dataDir); // a file there: the variable's mistake (exit 2), not an EEXIST
    const storeDir = v['no-store'] ? null : demoStoreDir(rt.config.dataDir);
    const viaKafka = rt.config.kafka.brokers.length > 0;
    if (viaKafka) ctx.stderr.write(`note: KAFKA_BROKERS is set: records go through Kafka (${rt.config.kafka.brokers.join(',')}) to the live engine\n`);
    if (rt.config.clickhouse.url) ctx.stderr.write('note: the demo always writes the embedded store; CLICKHOUSE_URL is not used\n');

    // Ctrl-C / SIGTERM end the run gracefully: the summary still prints.
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // The progress line stands for the engine's info lines: at LOG_LEVEL=info they are quieted to warn. Never
      // louder than LOG_LEVEL asks (error, fatal, silent keep theirs), and debug shows everything.
      const quietInfo = rt.logger.isLevelEnabled('info') && !rt.logger.isLevelEnabled('debug');
      const logger = quietInfo ? rt.logger.child({}, { level: 'warn' }) : rt.logger;
      // Loaded here, not with the CLI: the engine is most of what a process loads; the Kafka transport (kafkajs, the
      // live engine) only when the records go through Kafka.
      const { runDemo } = await import('../../engine/demo/demo-runner.js');
      const { kafkaDemoTransport } = viaKafka ? await import('../../engine/demo/kafka-demo-transport.js') : { kafkaDemoTransport: undefined };
      const { run, summary } = await runDemo({
        scenario: input,
        processing,
        alerts: rt.alerts,
        logger,
        storeDir,
        storeWriter: { batchRows: Math.max(rt.config.store.batchRows, 20_000), flushIntervalMs: rt.config.store.flushIntervalMs },
        rate: pace,
        realTime: forever,
        signal: stop.signal,
        progress: { stream: ctx.stderr },
        ...(kafkaDemoTransport ? { transport: kafkaDemoTransport({ config: rt.config, alerts: rt.alerts, logger }) } : {}),
      });
      ctx.stdout.write(formatDemoSummary(run, summary));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  },
};
