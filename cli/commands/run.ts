/** `driftwatch run`: live mode, as a consumer-group member (see engine/live/live-runner.ts). */
import type { Command } from '../command.js';
import { loadRuntime } from '../runtime.js';
import type { Writable } from 'node:stream';
import type { LiveEngine } from '../../engine/live/start-live.js';
import type { LiveRunner } from '../../engine/live/live-runner.js';
import { DuplicateInstanceError, StopRequestedError, UsageError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { startedLine } from './run-started-line.js';
import { reportStopOutcome } from './run-stop-outcome.js';

/**
 * Longest a graceful stop may take (finish the batch, commit, leave the group) before the process exits anyway
 * (exit 1; a second later at the latest). A supervisor's grace period must be longer (deploy/docker-compose.yml).
 */
export const STOP_DEADLINE_MS = 30_000;

export const runCommand: Command = {
  path: ['run'],
  summary: 'live mode: consume the input topics as a consumer-group member, write the store, emit alerts',
  description:
    'Needs KAFKA_BROKERS. Scale out by starting more instances with the same DRIFTWATCH_GROUP_ID and distinct\n' +
    'DRIFTWATCH_INSTANCE_ID. Stops gracefully on SIGTERM/SIGINT: finishes the batch, commits, leaves the group.',
  options: {},
  failuresInLog: true,
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const rt = loadRuntime(ctx);
    // Signals are handled from the start. During start-up (opening the store, joining the group, or retrying an
    // unreachable broker for up to ≈ 2 minutes) nothing has been processed, so there is nothing to finish or commit.
    // Before any group has a member of this instance the process ends at once. Once the changelog reader or the
    // engine has joined one, the start is aborted at the end of its step and lets go of them (release: the member
    // leaves the engine's group, the reader's group is deleted) — ended at once, their members stayed until their
    // session timed out and the reader's group until the broker's offsets cleanup — then the process exits 0.
    let signals = 0;
    let started = false;
    let runner: LiveRunner | undefined;
    let abortDeadline: NodeJS.Timeout | undefined;
    let stopRequested!: () => void;
    const stopRequest = new Promise<null>((resolve) => (stopRequested = () => resolve(null)));
    const onSignal = (signal: string) => {
      // A second signal while stopping (e.g. stuck on an unreachable broker) means: stop now.
      if (++signals > 1) {
        rt.logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
        process.exit(1);
      }
      if (!started) {
        if (!runner?.abortStart()) {
          rt.logger.info({ signal }, 'signal during start-up: nothing processed yet; exiting');
          process.exit(0);
        }
        rt.logger.info({ signal }, 'signal during start-up: nothing processed yet; leaving the groups joined, then exiting');
        abortDeadline = startUpDeadline(rt.logger, ctx.stderr);
      } else rt.logger.info({ signal }, 'shutting down');
      stopRequested();
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
    let live: LiveEngine;
    try {
      // Loaded here, not with the CLI: the live engine and kafkajs are most of what a process loads.
      const { startLiveEngine } = await import('../../engine/live/start-live.js');
      live = await startLiveEngine(rt, (r) => (runner = r));
    } catch (err) {
      if (!(err instanceof StopRequestedError)) throw err;
      rt.logger.info('stopped during start-up; nothing was processed');
      exitSoon(0);
      return 0;
    } finally {
      clearTimeout(abortDeadline); // a start that ended anyway goes on to the graceful stop, which has its own deadline
    }
    started = true;
    ctx.stdout.write(startedLine(rt.config, live.metricsUrl));
    const failure = await Promise.race([stopRequest, live.runner.failed]);
    if (failure instanceof DuplicateInstanceError) {
      // The cause, not kafkajs's bare fencing error: restarted as it is, this instance would fence its twin in turn.
      rt.logger.error({ err: failure.toJSON() }, failure.message);
      ctx.stderr.write(`driftwatch run: ${failure.message} [${failure.code}]\n`);
    } else if (failure) {
      // Not a clean stop: exit non-zero so a supervisor restarts the instance (it resumes from the last commit).
      rt.logger.error({ err: failure }, 'consumer stopped after a non-retriable error; exiting');
      ctx.stderr.write(`driftwatch run: the consumer stopped after a non-retriable error: ${failure.message}\n`);
    }
    const stopped = await Promise.race([
      live.stop(),
      new Promise<null>((r) => setTimeout(() => r(null), STOP_DEADLINE_MS).unref()),
    ]);
    const result = reportStopOutcome({ stopped, failure, deadlineMs: STOP_DEADLINE_MS }, rt.logger, ctx.stderr);
    exitSoon(result);
    return result;
  },
};

/**
 * kafkajs may keep a socket or a scheduled reconnect alive after disconnect(); the process must end all the same
 * (an unref'd timer: it only fires if something else still holds the event loop).
 */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 1000).unref();
}

/**
 * An aborted start-up waits for the step in progress (a join can wait for the group's other members to rejoin) and
 * then lets go: within the graceful stop's deadline, as a stop would; past it the process exits 1, saying so.
 */
function startUpDeadline(logger: Logger, stderr: Pick<Writable, 'write'>): NodeJS.Timeout {
  return setTimeout(() => {
    const message = `start-up did not stop within ${STOP_DEADLINE_MS / 1000}s (broker unreachable?); exiting anyway`;
    logger.error({ deadlineMs: STOP_DEADLINE_MS }, message);
    stderr.write(`driftwatch run: ${message}\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
}
