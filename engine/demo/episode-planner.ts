/**
 * Plans the episodes of one key, one after the other: promotions (with gates
 * and snapshots; some fail, some are rolled back) and, now and then, an
 * injected incident whose expected start follows from SPEC §4:
 *
 * - lagging replica: promotion succeeds at S, one source keeps the old digest
 *   past the grace period → drift starts at S + grace, resolves (converged)
 *   when it reports the new digest;
 * - stuck rollback: rolled back at RB, one source stays on the rolled-back
 *   digest → starts at RB + grace (and rollback_failed fires);
 * - sticky canary: promotion fails at F, its canary instance keeps running
 *   the failed digest → starts at F + grace, resolves (source_expired) one
 *   source TTL after the canary's last report;
 * - rogue version: an index instance serves a digest never promoted → starts
 *   at that observation;
 * - nondeterministic rule: the same input gives a second output within one
 *   window → starts at the second output, resolves (consistent) at the end of
 *   the first later window without a conflict.
 *
 * Every other change happens well inside the grace period, so no other
 * incident is expected. A plan is computed first and committed only if it
 * ends before the span does, so an episode never stops half-way.
 */
import { MINUTE, SECOND } from '../../lib/time.js';
import { rogueDigest, strayOutputDigest } from './event-builders.js';
import type { InjectedIncident } from './ground-truth.js';
import { setDigest, type KeySim } from './key-sim.js';
import { injected, plan, promotionSteps, safeSwitchEnd, switchAt, type EpisodeSink, type Plan, type Steps } from './episode-steps.js';

export type { EpisodeSink, Plan } from './episode-steps.js';

/** The first promotion of a key: the version its sources already run becomes desired. */
export function planInitial(c: EpisodeSink, k: KeySim, T: number): Plan {
  const d = c.rng.ms(20 * SECOND, 90 * SECOND);
  const steps = promotionSteps(c, k, T, d, k.desired, 'succeeded', k.nextPromotionId(), () => undefined);
  return plan(k, T + d + c.options.engine.convergenceGraceMs, steps, () => undefined);
}

/** A successful promotion; with `lagging`, one source catches up only after the grace period. */
export function planPromotion(c: EpisodeSink, k: KeySim, T: number, lagging: boolean): Plan {
  const { rng } = c;
  const grace = c.options.engine.convergenceGraceMs;
  const d = rng.ms(40 * SECOND, 240 * SECOND);
  const S = T + d;
  const next = k.nextVersion();
  const previous = k.desired;
  let inj: InjectedIncident | undefined;
  const steps = promotionSteps(c, k, T, d, next, 'succeeded', k.nextPromotionId(), (id) => inj && c.trigger(inj, id));
  const laggard = lagging ? rng.pick(k.sources) : undefined;
  let last = S;
  for (const s of k.sources) {
    if (s === laggard) continue;
    const at = rng.ms(T + 5 * SECOND, safeSwitchEnd(c, S));
    switchAt(c, steps, s, at, next.digest);
    last = Math.max(last, at);
  }
  if (laggard) {
    const at = S + grace + rng.ms(1 * MINUTE, 8 * MINUTE);
    switchAt(c, steps, laggard, at, next.digest);
    last = at;
    inj = injected(k, 'lagging-replica', { startsAt: S + grace, resolvesAt: at, expectedReason: 'converged', divergentDigest: previous.digest });
  }
  return plan(k, Math.max(S + grace, last), steps, () => {
    k.desired = next;
    k.fromRollback = false;
  }, inj);
}

/** A failed promotion; its canary either goes back in time (normal) or sticks and then goes silent (injected). */
export function planFailure(c: EpisodeSink, k: KeySim, T: number, sticky: boolean): Plan {
  const { rng } = c;
  const grace = c.options.engine.convergenceGraceMs;
  const d = rng.ms(40 * SECOND, 240 * SECOND);
  const F = T + d;
  const next = k.nextVersion();
  let inj: InjectedIncident | undefined;
  const steps = promotionSteps(c, k, T, d, next, 'failed', k.nextPromotionId(), (id) => inj && c.trigger(inj, id));
  const canaryAt = rng.ms(T + 5 * SECOND, T + d / 2);
  if (!sticky) {
    const canary = rng.pick(k.hydrations());
    switchAt(c, steps, canary, canaryAt, next.digest);
    switchAt(c, steps, canary, rng.ms(F + 5 * SECOND, safeSwitchEnd(c, F)), k.desired.digest);
    return plan(k, F + grace, steps, () => undefined);
  }
  const n = k.nextExtra();
  const canary = k.newSource(c.newOrder(), 'hydration', `${k.artifact}-canary-${n}`, k.rules[0]!, 'canary');
  setDigest(canary, next.digest);
  steps.push([canaryAt, () => c.startSource(canary, canaryAt)]);
  const last = F + grace + rng.ms(1 * MINUTE, 6 * MINUTE);
  steps.push([
    last,
    () => {
      c.observe(canary, last);
      canary.active = false; // goes silent: the engine forgets it once silent for longer than the source TTL
    },
  ]);
  const forgottenAt = c.options.engine.sourceTtlMs + last + 1; // the first millisecond past the TTL (SPEC §4.2)
  inj = injected(k, 'sticky-canary', { startsAt: F + grace, resolvesAt: forgottenAt, expectedReason: 'source_expired', divergentDigest: next.digest });
  return plan(k, forgottenAt, steps, () => undefined, inj);
}

/** A successful promotion rolled back a few minutes later; with `stuck`, one source stays on the rolled-back digest. */
export function planRollback(c: EpisodeSink, k: KeySim, T: number, stuck: boolean): Plan {
  const { rng } = c;
  const grace = c.options.engine.convergenceGraceMs;
  const d = rng.ms(40 * SECOND, 240 * SECOND);
  const S = T + d;
  const next = k.nextVersion();
  const target = k.desired;
  const pid = k.nextPromotionId();
  const steps = promotionSteps(c, k, T, d, next, 'succeeded', pid, () => undefined);
  for (const s of k.sources) switchAt(c, steps, s, rng.ms(T + 5 * SECOND, safeSwitchEnd(c, S)), next.digest);
  const RB = S + grace + rng.ms(1 * MINUTE, 5 * MINUTE);
  let inj: InjectedIncident | undefined;
  steps.push([
    RB,
    () => {
      const id = c.promotion(k, RB, { promotionId: pid, phase: 'rolled_back', rollbackTo: { version: target.version, digest: target.digest }, actor: 'alice', reason: 'error budget burn' }, `corr-${pid}`);
      if (inj) c.trigger(inj, id);
    },
  ]);
  const stuckSource = stuck ? rng.pick(k.sources) : undefined;
  let last = RB;
  for (const s of k.sources) {
    const at = s === stuckSource ? RB + grace + rng.ms(1 * MINUTE, 8 * MINUTE) : rng.ms(RB + 5 * SECOND, safeSwitchEnd(c, RB));
    switchAt(c, steps, s, at, target.digest);
    last = Math.max(last, at);
  }
  if (stuckSource) {
    inj = injected(k, 'stuck-rollback', { startsAt: RB + grace, resolvesAt: last, expectedReason: 'converged', divergentDigest: next.digest });
  }
  return plan(k, Math.max(RB + grace, last), steps, () => {
    k.fromRollback = true;
  }, inj);
}

/** An index instance serves a digest that was never promoted, then goes back to the desired one. */
export function planRogue(c: EpisodeSink, k: KeySim, T: number): Plan {
  const { rng } = c;
  const x = rng.pick(k.indexes());
  const n = k.nextExtra();
  const digest = rogueDigest(k.artifact, n);
  const back = T + rng.ms(2 * MINUTE, 12 * MINUTE);
  const inj = injected(k, 'rogue-version', { startsAt: T, resolvesAt: back, expectedReason: 'converged', divergentDigest: digest });
  const steps: Steps = [
    [
      T,
      () => {
        setDigest(x, digest);
        c.trigger(inj, c.observe(x, T, { correlationId: `corr-rogue-${k.artifact}-${n}` }));
      },
    ],
  ];
  switchAt(c, steps, x, back, k.desired.digest);
  return plan(k, back, steps, () => undefined, inj);
}

/** A hydration rule gives a second output for the same input in 1–3 consecutive windows, then behaves. */
export function planNondeterminism(c: EpisodeSink, k: KeySim, T: number): Plan {
  const { rng } = c;
  const windowMs = c.options.engine.windowMs;
  const ruleId = rng.pick(k.rules);
  const runners = k.hydrations().filter((s) => s.ruleId === ruleId);
  const a = runners[0]!;
  const b = runners[1] ?? a;
  const n = k.nextExtra();
  const W = Math.ceil(T / windowMs) * windowMs;
  const windows = rng.int(1, 3);
  const steps: Steps = [];
  let inj: InjectedIncident | undefined;
  let startsAt = 0;
  // One normal output early in each window, then a stray one: the conflict time is exact.
  for (let j = 0; j <= windows; j++) {
    const w = W + j * windowMs;
    const normalAt = w + rng.ms(0.02 * windowMs, 0.07 * windowMs);
    steps.push([normalAt, () => void c.observe(a, normalAt)]);
    if (j === windows) break; // the clean window: the rule runs, one output per input
    const strayAt = w + rng.ms(0.15 * windowMs, 0.8 * windowMs);
    const output = strayOutputDigest(ruleId, n, j);
    if (j === 0) startsAt = strayAt;
    steps.push([
      strayAt,
      () => {
        const id = c.observe(b, strayAt, { outputDigest: output, correlationId: `corr-nondet-${k.artifact}-${n}` });
        if (j === 0 && inj) c.trigger(inj, id);
      },
    ]);
  }
  const resolvesAt = W + (windows + 1) * windowMs;
  inj = injected(k, 'nondeterministic-rule', { ruleId, startsAt, resolvesAt, expectedReason: 'consistent', divergentDigest: strayOutputDigest(ruleId, n, 0) });
  return plan(k, resolvesAt, steps, () => undefined, inj);
}

/** Nothing happens for a while (sources keep reporting). */
export function planQuiet(c: EpisodeSink, k: KeySim, T: number): Plan {
  return plan(k, T + c.rng.ms(2 * MINUTE, 10 * MINUTE), [], () => undefined);
}
