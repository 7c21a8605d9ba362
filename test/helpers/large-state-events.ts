/**
 * Input records that make one changelog record of live mode's state larger
 * than the broker takes in one message (engine/live/state-chunks.ts), for the
 * rebalance harness's `push` (test/unit/live/rebalance-harness.ts):
 * promotions started in many envs (the instance's per-env record) and one
 * key reported by many replicas (that key's record).
 */
import { iso } from '../unit/live/rebalance-harness.js';

/** A promotion of `env-<i>/app` started at 10:01 (one env per record: the per-env state grows with each). */
export function startedInEnv(i: number): Record<string, unknown> {
  return { type: 'promotion', eventId: `s-${i}`, occurredAt: iso('10:01:00'), env: `env-${i}`, artifact: 'app', promotionId: `p-${i}`, phase: 'started', version: '2', digest: 'sha256:d2' };
}

/** A hydration of prod/app at 10:01 by replica `i`, whose id is as long as an identifying string may be (1024 characters). */
export function hydrationFromReplica(i: number): Record<string, unknown> {
  return {
    type: 'hydration', eventId: `h-${i}`, occurredAt: iso('10:01:00'), env: 'prod', artifact: 'app', ruleId: 'r1',
    instance: `replica-${i}-`.padEnd(1024, 'x'), inputDigest: 'sha256:in', outputDigest: 'sha256:out', durationMs: 5, status: 'ok',
  };
}
