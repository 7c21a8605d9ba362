/**
 * Building blocks of the episode plans: the sink the steps emit through, a
 * plan (computed first, committed only if it fits in the span), the steps of
 * one promotion's lifecycle, and timed digest switches.
 */
import { SECOND } from '../../lib/time.js';
import type { PromotionFields } from './event-builders.js';
import type { InjectedIncident } from './ground-truth.js';
import { setDigest, type KeySim, type SourceSim } from './key-sim.js';
import type { Prng } from './prng.js';
import type { InjectedKind, ScenarioOptions } from './scenario-options.js';

export interface EpisodeSink {
  readonly rng: Prng;
  readonly options: ScenarioOptions;
  promotion(k: KeySim, at: number, fields: PromotionFields, correlationId?: string): string;
  /** An ok report by `s` at `at` of the digest it runs (or a given output); returns its eventId. */
  observe(s: SourceSim, at: number, extra?: { outputDigest?: string; correlationId?: string }): string;
  /** Starts a new source: it reports at `at`, then periodically. */
  startSource(s: SourceSim, at: number): void;
  newOrder(): number;
  /** The injected incident becomes expected once the event `eventId` is handed out. */
  trigger(inj: InjectedIncident, eventId: string): void;
}

export interface Plan {
  /** Event time from which the key is clean again (converged, grace over, sources expired). */
  end: number;
  /** Schedules the steps on the key and updates its desired state; returns the injected incident, if any. */
  commit(): InjectedIncident | undefined;
}

export type Steps = Array<[number, () => void]>;
export const gates = ['build-verify', 'integration-tests', 'smoke'];
/**
 * Each gate's typical share of its slice of the promotion, so the dashboards'
 * per-gate durations differ as real gates' do (integration tests the longest,
 * a smoke test the shortest); a promotion's own jitter (±20 %) comes from its
 * id, not from the scenario's random stream, so adding it left every other
 * draw — and so every scenario — as it was.
 */
const gateShare: Record<string, number> = { 'build-verify': 0.6, 'integration-tests': 0.8, smoke: 0.3 };

/** A gate's duration within its slice: its share of it, jittered by a hash of the promotion id and gate. */
export function gateDurationMs(slice: number, gate: string, promotionId: string): number {
  let h = 2166136261;
  for (const ch of `${promotionId}/${gate}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const jitter = ((h >>> 0) % 41) / 100 - 0.2;
  return Math.max(1, Math.min(slice, Math.round(slice * (gateShare[gate] ?? 0.5) * (1 + jitter))));
}

export function plan(k: KeySim, end: number, steps: Steps, apply: () => void, inj?: InjectedIncident): Plan {
  return {
    end,
    commit() {
      for (const [at, run] of steps) k.schedule(at, run);
      apply();
      return inj;
    },
  };
}

export function injected(k: KeySim, scenario: InjectedKind, fields: Pick<InjectedIncident, 'startsAt' | 'resolvesAt' | 'expectedReason' | 'divergentDigest'> & { ruleId?: string }): InjectedIncident {
  const kind = scenario === 'nondeterministic-rule' ? 'determinism' : 'state';
  return { id: '', scenario, kind, env: k.env, artifact: k.artifact, ...fields, triggerEventId: '', armed: false };
}

/** Switches `s` to `digest` at `at` and reports it at once, so the change time is exact. */
export function switchAt(c: EpisodeSink, steps: Steps, s: SourceSim, at: number, digest: string, onEvent?: (id: string) => void): void {
  steps.push([
    at,
    () => {
      setDigest(s, digest);
      const id = c.observe(s, at);
      onEvent?.(id);
    },
  ]);
}

/** started → gates → snapshot → terminal, over [T, T + d]; returns the steps and the terminal step's hook. */
export function promotionSteps(c: EpisodeSink, k: KeySim, T: number, d: number, next: { version: string; digest: string }, outcome: 'succeeded' | 'failed', pid: string, onTerminal: (id: string) => void): Steps {
  const rng = c.rng;
  const corr = `corr-${pid}`;
  const fromEnv = k.envIndex > 0 ? c.options.envs[k.envIndex - 1] : undefined;
  const actor = rng.pick(['ci-bot', 'ci-bot', 'alice', 'bob']);
  const steps: Steps = [];
  const slice = Math.floor(d / (gates.length + 2));
  steps.push([T, () => void c.promotion(k, T, { promotionId: pid, phase: 'started', version: next.version, digest: next.digest, ...(fromEnv ? { fromEnv } : {}), actor }, corr)]);
  gates.forEach((name, i) => {
    const at = T + slice * (i + 1);
    const result = outcome === 'failed' && i === gates.length - 1 ? 'failed' : 'passed';
    steps.push([at, () => void c.promotion(k, at, { promotionId: pid, phase: 'gate', gate: { name, result, durationMs: gateDurationMs(slice, name, pid) } }, corr)]);
  });
  if (outcome === 'succeeded') {
    const at = T + slice * (gates.length + 1);
    const verified = !rng.chance(0.08);
    steps.push([at, () => void c.promotion(k, at, { promotionId: pid, phase: 'snapshot', snapshot: { snapshotId: `snap-${pid}`, verified } }, corr)]);
  }
  const end = T + d;
  const terminal: PromotionFields = outcome === 'succeeded'
    ? { promotionId: pid, phase: 'succeeded', version: next.version, digest: next.digest }
    : { promotionId: pid, phase: 'failed', version: next.version, digest: next.digest, reason: `${gates[gates.length - 1]} gate failed` };
  steps.push([end, () => onTerminal(c.promotion(k, end, terminal, corr))]);
  return steps;
}

/** Latest time a source may switch after a desired change at `from` without ever being divergent. */
export function safeSwitchEnd(c: EpisodeSink, from: number): number {
  const grace = c.options.engine.convergenceGraceMs;
  return from + Math.min(grace / 2, grace - 15 * SECOND);
}
