/** `driftwatch run`: live mode, as a consumer-group member (see engine/live/live-runner.ts). */
import type { Command } from '../command.js';
import { loadRuntime } from '../runtime.js';
import { startLiveEngine } from '../../engine/live/start-live.js';
import { UsageError } from '../../lib/errors.js';

export const runCommand: Command = {
  path: ['run'],
  summary: 'live mode: consume the input topics as a consumer-group member, write the store, emit alerts',
  description:
    'Needs KAFKA_BROKERS. Scale out by starting more instances with the same DRIFTWATCH_GROUP_ID and distinct\n' +
    'DRIFTWATCH_INSTANCE_ID. Stops gracefully on SIGTERM/SIGINT: finishes the batch, commits, leaves the group.',
  options: {},
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const rt = loadRuntime(ctx);
    const live = await startLiveEngine(rt);
    ctx.stdout.write(`driftwatch run: instance ${rt.config.live.instanceId} in group ${rt.config.kafka.groupId}; metrics on :${rt.config.metricsPort}\n`);
    const failure = await new Promise<Error | null>((resolve) => {
      const shutdown = (signal: string) => {
        rt.logger.info({ signal }, 'shutting down');
        resolve(null);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      void live.runner.failed.then(resolve);
    });
    if (failure) {
      // Not a clean stop: exit non-zero so a supervisor restarts the instance (it resumes from the last commit).
      rt.logger.error({ err: failure }, 'consumer stopped after a non-retriable error; exiting');
      ctx.stderr.write(`driftwatch run: the consumer stopped after a non-retriable error: ${failure.message}\n`);
      await live.stop();
      return 1;
    }
    await live.stop();
    return 0;
  },
};
