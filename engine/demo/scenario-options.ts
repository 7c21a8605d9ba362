/**
 * Parameters of the synthetic scenario, their defaults, and the checks that
 * keep its ground truth exact: the expected incident times are worked out
 * from SPEC §4 with the engine's grace, source TTL and window size, and only
 * hold while events stay well inside the allowed lateness and every source
 * reports often enough not to be forgotten.
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../../config/processing-options.js';
import { ConfigError } from '../../lib/errors.js';
import { HOUR, MINUTE, SECOND } from '../../lib/time.js';

export const injectedKinds = ['lagging-replica', 'rogue-version', 'sticky-canary', 'stuck-rollback', 'nondeterministic-rule'] as const;
export type InjectedKind = (typeof injectedKinds)[number];

export interface ScenarioOptions {
  seed: number;
  /** Event time of the first events (epoch ms). */
  startAt: number;
  /** Event-time span; Infinity = generate until the consumer stops. */
  spanMs: number;
  envs: string[];
  artifactsPerEnv: number;
  /** Exact number of keys (env, artifact), spread round-robin over envs; overrides artifactsPerEnv. */
  keys?: number;
  /** Hydration instances (replicas) per key. */
  replicas: number;
  /** Index instances per key. */
  indexInstances: number;
  /** Hydration rules per key; replica i runs rule i mod rulesPerKey. */
  rulesPerKey: number;
  /** Each source reports every observeEveryMs ± 20 %: the rate of observations. */
  observeEveryMs: number;
  /** Mean quiet time between two episodes (promotion, incident…) of one key. */
  episodeGapMs: number;
  /** Share of episodes that inject an incident (the kinds take turns). */
  incidentRate: number;
  kinds: readonly InjectedKind[];
  /** Arrival order differs from event time by less than 2 × jitterMs (duplicates included). */
  jitterMs: number;
  duplicateRate: number;
  malformedRate: number;
  hydrationErrorRate: number;
  indexErrorRate: number;
  /** Stop after this many records (lines), whatever the span. */
  maxRecords?: number;
  /** The engine settings the expected times are computed with. */
  engine: Pick<ProcessingOptions, 'convergenceGraceMs' | 'sourceTtlMs' | 'windowMs' | 'allowedLatenessMs'>;
}

/** 2026-01-05T00:00:00Z: a fixed default so a seed alone pins the whole scenario. */
export const DEFAULT_START_AT = Date.UTC(2026, 0, 5);

export const defaultScenarioOptions: ScenarioOptions = {
  seed: 1,
  startAt: DEFAULT_START_AT,
  spanMs: 2 * HOUR,
  envs: ['dev', 'staging', 'prod'],
  artifactsPerEnv: 4,
  replicas: 3,
  indexInstances: 2,
  rulesPerKey: 2,
  observeEveryMs: 30 * SECOND,
  episodeGapMs: 6 * MINUTE,
  incidentRate: 0.3,
  kinds: injectedKinds,
  jitterMs: 8 * SECOND,
  duplicateRate: 0.002,
  malformedRate: 0.0005,
  hydrationErrorRate: 0.01,
  indexErrorRate: 0.005,
  engine: {
    convergenceGraceMs: defaultProcessingOptions.convergenceGraceMs,
    sourceTtlMs: defaultProcessingOptions.sourceTtlMs,
    windowMs: defaultProcessingOptions.windowMs,
    allowedLatenessMs: defaultProcessingOptions.allowedLatenessMs,
  },
};

export type ScenarioInput = Partial<Omit<ScenarioOptions, 'engine'>> & { engine?: Partial<ScenarioOptions['engine']> };

/**
 * What is wrong with a list of environment names, or undefined: none, a name
 * that is not one, or a name listed twice (every key would be simulated twice
 * over, and the tally would report injected drift as missed).
 */
export function envsProblem(envs: readonly string[]): string | undefined {
  if (envs.length === 0) return 'expected one or more names (letters, digits, _ . -)';
  const bad = envs.find((e) => !/^[A-Za-z0-9_.-]+$/.test(e));
  if (bad !== undefined) return `"${bad}" is not an environment name (letters, digits, _ . -)`;
  const repeated = envs.find((e, i) => envs.indexOf(e) !== i);
  return repeated === undefined ? undefined : `"${repeated}" is listed twice; name each environment once`;
}

function check(ok: boolean, option: string, message: string): void {
  if (!ok) throw new ConfigError(`scenario.${option}`, message);
}

const rate = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;

/** Defaults merged with `input`, validated; errors name the option and the bound. */
export function resolveScenarioOptions(input: ScenarioInput = {}): ScenarioOptions {
  const o: ScenarioOptions = { ...defaultScenarioOptions, ...input, engine: { ...defaultScenarioOptions.engine, ...input.engine } };
  const { convergenceGraceMs: grace, sourceTtlMs: ttl, windowMs, allowedLatenessMs } = o.engine;
  check(Number.isInteger(o.seed), 'seed', `expected an integer, got ${o.seed}`);
  check(Number.isFinite(o.startAt), 'startAt', 'expected epoch milliseconds');
  check(o.spanMs > 0, 'spanMs', `expected a positive duration, got ${o.spanMs}`);
  const envs = envsProblem(o.envs);
  check(envs === undefined, 'envs', envs ?? '');
  check(Number.isInteger(o.artifactsPerEnv) && o.artifactsPerEnv >= 1, 'artifactsPerEnv', 'expected an integer ≥ 1');
  check(o.keys === undefined || (Number.isInteger(o.keys) && o.keys >= 1), 'keys', 'expected an integer ≥ 1');
  check(Number.isInteger(o.replicas) && o.replicas >= 1, 'replicas', 'expected an integer ≥ 1');
  check(Number.isInteger(o.indexInstances) && o.indexInstances >= 0, 'indexInstances', 'expected an integer ≥ 0');
  check(Number.isInteger(o.rulesPerKey) && o.rulesPerKey >= 1 && o.rulesPerKey <= o.replicas, 'rulesPerKey', `expected 1..replicas (${o.replicas}) so every rule runs`);
  // Sources must report well within the TTL (or they are forgotten between reports) and the window (so every rule runs in every window).
  const maxEvery = Math.min(ttl / 3, windowMs / 2, 5 * MINUTE);
  check(o.observeEveryMs >= 100 && o.observeEveryMs <= maxEvery, 'observeEveryMs', `expected 100 ms .. ${maxEvery} ms (a third of the source TTL, half a window)`);
  check(o.episodeGapMs >= 0, 'episodeGapMs', 'expected ≥ 0');
  check(rate(o.incidentRate), 'incidentRate', 'expected a ratio between 0 and 1');
  check(o.kinds.every((k) => (injectedKinds as readonly string[]).includes(k)), 'kinds', `expected some of ${injectedKinds.join(', ')}`);
  // SPEC-level promise of the demo: out-of-order arrivals < 20 s; and far inside the lateness bound, or events would be late.
  check(o.jitterMs >= 0 && o.jitterMs < 10 * SECOND && 2 * o.jitterMs < 2 * allowedLatenessMs, 'jitterMs', 'expected 0 .. 9999 ms (and below the allowed lateness)');
  check(rate(o.duplicateRate) && rate(o.malformedRate), 'duplicateRate', 'duplicateRate and malformedRate are ratios between 0 and 1');
  check(rate(o.hydrationErrorRate) && rate(o.indexErrorRate), 'hydrationErrorRate', 'error rates are ratios between 0 and 1');
  check(grace >= 30 * SECOND, 'engine.convergenceGraceMs', 'the scenario needs a grace of at least 30 s to converge replicas inside it');
  check(o.maxRecords === undefined || (Number.isInteger(o.maxRecords) && o.maxRecords >= 0), 'maxRecords', 'expected an integer ≥ 0');
  return o;
}

export function keyCount(o: Pick<ScenarioOptions, 'keys' | 'envs' | 'artifactsPerEnv'>): number {
  return o.keys ?? o.envs.length * o.artifactsPerEnv;
}

/** Rough number of records a bounded scenario yields (observations dominate; promotions add a few %). */
export function estimateRecords(o: ScenarioOptions): number {
  if (!Number.isFinite(o.spanMs)) return Number.POSITIVE_INFINITY;
  const perKey = ((o.replicas + o.indexInstances) * o.spanMs) / o.observeEveryMs;
  return Math.round(keyCount(o) * perKey * 1.03);
}

/** Options for about `events` records over `keys` keys (the benchmark): the span grows with the events, the keys stay fixed. */
export function optionsForRecords(events: number, keys: number, input: ScenarioInput = {}): ScenarioInput {
  const base = resolveScenarioOptions({ ...input, keys });
  const perKeyPerMs = (base.replicas + base.indexInstances) / base.observeEveryMs;
  // 10 % headroom, then cut at exactly `events` records.
  const spanMs = Math.ceil((events / (keys * perKeyPerMs)) * 1.1);
  return { ...input, keys, spanMs: Math.max(spanMs, 30 * MINUTE), maxRecords: events };
}
