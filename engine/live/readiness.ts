/**
 * What /readyz says of a live instance: ready once it is a member of its
 * group with its state restored; else why not — what start-up (or a
 * rejoin) waits for, or, once the instance has stopped for good (fenced by
 * a twin with its DRIFTWATCH_INSTANCE_ID, or a failed pipeline) or is
 * shutting down on a signal, that it is stopping and why; while the broker
 * has not answered for a session timeout, that (broker-contact.ts).
 */
import type { Readiness } from '../metrics/metrics-server.js';
import type { LiveRunner } from './live-runner.js';

export function liveReadiness(runner: Pick<LiveRunner, 'ready' | 'stoppingFor' | 'brokerUnreachable'> | undefined, startingUp: string): Readiness {
  if (runner?.ready) return true;
  return { ready: false, reason: runner?.stoppingFor ?? runner?.brokerUnreachable ?? startingUp };
}
