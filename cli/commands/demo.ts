/**
 * `driftwatch demo` (SPEC §7): synthetic producers with injected drift run
 * through the engine on the embedded store (<DRIFTWATCH_DATA_DIR>/store,
 * replaced on every demo run), with live progress on stderr and a closing
 * summary on stdout. Exit 0 even when an injected incident was missed: the
 * summary says so in capitals.
 */
import type { Command } from '../command.js';
import { UsageError } from '../../lib/errors.js';
import { MINUTE, parseDuration } from '../../lib/time.js';
import { loadRuntime } from '../runtime.js';
import { kafkaDemoTransport } from '../../engine/demo/kafka-demo-transport.js';
import { runDemo } from '../../engine/demo/demo-runner.js';
import { demoStoreDir } from '../../engine/demo/demo-store.js';
import { formatDemoSummary } from '../../engine/demo/demo-summary.js';
import { estimateRecords, resolveScenarioOptions, type ScenarioInput } from '../../engine/demo/scenario-options.js';

/** A bounded demo takes about this long by default, so the progress line is visible but nobody waits. */
const TARGET_WALL_SECONDS = 3;
/** --forever starts this far in the past and catches up at full speed, so incidents show up at once. */
const FOREVER_BACKFILL_MS = 30 * MINUTE;

function positiveInt(name: string, value: unknown, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got "${String(value)}"`);
  return n;
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'synthetic producers with injected drift through the engine, with live progress and a summary',
  description:
    'Generates promotions, hydrations and index operations for every env × artifact (deterministic per --seed), injects\n' +
    'incidents (lagging replicas, rogue versions, a sticky canary, stuck rollbacks, a nondeterministic rule) and checks what\n' +
    'the engine finds against them. Data goes to the embedded store <DRIFTWATCH_DATA_DIR>/store, which each demo run\n' +
    'replaces (a store the demo did not write is never touched); explore it afterwards with `driftwatch query`.\n' +
    `Bounded runs span --duration of event time and take about ${TARGET_WALL_SECONDS} s of wall time (see --rate); --forever starts\n` +
    `${FOREVER_BACKFILL_MS / MINUTE} min in the past, catches up, then runs in real time until Ctrl-C / SIGTERM and prints the summary.`,
  options: {
    duration: { type: 'string', short: 'd', doc: 'event-time span of a bounded run, e.g. 30m, 2h, 1d', default: '2h', valueName: '<span>' },
    seed: { type: 'string', doc: 'seed of the scenario (same seed, same events and incidents)', default: '1', valueName: '<n>' },
    rate: { type: 'string', doc: `records per second of wall time; 0 = unpaced (default: the run takes ~${TARGET_WALL_SECONDS} s)`, valueName: '<n>' },
    forever: { type: 'boolean', doc: 'keep generating in real time until SIGINT/SIGTERM, then print the summary', default: false },
    envs: { type: 'string', doc: 'comma-separated environments', default: 'dev,staging,prod', valueName: '<list>' },
    artifacts: { type: 'string', doc: 'artifacts per environment', default: '4', valueName: '<n>' },
    replicas: { type: 'string', doc: 'hydration replicas per env/artifact', default: '3', valueName: '<n>' },
    'index-instances': { type: 'string', doc: 'index instances per env/artifact', default: '2', valueName: '<n>' },
    alerts: { type: 'string', doc: 'alerts.yaml to use (default: DRIFTWATCH_ALERTS_FILE, else built-in rules)', valueName: '<file>' },
    'no-store': { type: 'boolean', doc: 'do not write the embedded store', default: false },
  },
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const v = args.values;
    const forever = v.forever === true;
    const spanMs = parseDuration(String(v.duration));
    if (!(spanMs > 0)) throw new UsageError(`--duration: expected a duration such as 30m, 2h or 1d, got "${String(v.duration)}"`);
    const seed = Number(v.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${String(v.seed)}"`);
    const rt = loadRuntime(ctx, { alertsFile: v.alerts as string | undefined });
    const processing = rt.config.processing;
    const windowMs = processing.windowMs;
    const now = Date.now();
    const startAt = forever ? now - FOREVER_BACKFILL_MS : Math.floor((now - spanMs) / windowMs) * windowMs;
    const input: ScenarioInput = {
      seed,
      startAt,
      spanMs: forever ? Number.POSITIVE_INFINITY : spanMs,
      envs: String(v.envs).split(',').map((e) => e.trim()).filter(Boolean),
      artifactsPerEnv: positiveInt('artifacts', v.artifacts),
      replicas: positiveInt('replicas', v.replicas),
      indexInstances: positiveInt('index-instances', v['index-instances'], 0),
      engine: processing,
    };
    const scenario = resolveScenarioOptions(input); // fails fast, naming the option
    const rate = v.rate !== undefined ? Number(v.rate) : forever ? 0 : Math.ceil(estimateRecords(scenario) / TARGET_WALL_SECONDS);
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new UsageError(`--rate: expected records per second ≥ 0, got "${String(v.rate)}"`);
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
      const logger = rt.logger.isLevelEnabled('debug') ? rt.logger : rt.logger.child({}, { level: 'warn' });
      const { run, summary } = await runDemo({
        scenario: input,
        processing,
        alerts: rt.alerts,
        logger,
        storeDir,
        storeWriter: { batchRows: Math.max(rt.config.store.batchRows, 20_000), flushIntervalMs: rt.config.store.flushIntervalMs },
        rate,
        realTime: forever,
        signal: stop.signal,
        progress: { stream: ctx.stderr },
        ...(viaKafka ? { transport: kafkaDemoTransport({ config: rt.config, alerts: rt.alerts, logger }) } : {}),
      });
      ctx.stdout.write(formatDemoSummary(run, summary));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  },
};
