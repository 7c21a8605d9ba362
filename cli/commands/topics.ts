/** `driftwatch topics create`: create missing topics (SPEC §2), verify existing ones. */
import type { Command } from '../command.js';
import { DriftwatchError, UsageError } from '../../lib/errors.js';
import { loadRuntime } from '../runtime.js';

export const topicsCreateCommand: Command = {
  path: ['topics', 'create'],
  summary: 'create the input, output and internal topics (idempotent) and verify existing ones',
  description:
    'Creates what is missing with DRIFTWATCH_PARTITIONS partitions, DRIFTWATCH_REPLICATION replicas and the\n' +
    'retention settings (DRIFTWATCH_RETENTION_*); existing topics are checked, never altered. Fails when the\n' +
    'co-partitioned topics (inputs + state changelog) do not all have DRIFTWATCH_PARTITIONS partitions.',
  options: {},
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const rt = loadRuntime(ctx);
    const { kafka } = rt.config;
    // Loaded here, not with the CLI: kafkajs is a large part of what a process loads, and most commands do not need it.
    const [{ createKafkaClient, kafkaFailure }, { topicDefinitions }, { ensureTopics, formatTopicReport }] = await Promise.all([
      import('../../topics/kafka-client.js'),
      import('../../topics/topic-definitions.js'),
      import('../../topics/topic-admin.js'),
    ]);
    const definitions = topicDefinitions(kafka);
    const admin = createKafkaClient({ brokers: kafka.brokers, clientId: kafka.clientId, security: kafka.security, logger: rt.logger }).admin();
    try {
      await admin.connect();
      const reports = await ensureTopics(admin, definitions, { logger: rt.logger });
      for (const r of reports) ctx.stdout.write(formatTopicReport(r) + '\n');
      const created = reports.filter((r) => r.status === 'created').length;
      const differing = reports.filter((r) => r.warnings.length > 0).length;
      ctx.stdout.write(`${created} created, ${reports.length - created} already existed${differing ? `, ${differing} differ from the configuration (left unchanged)` : ''}\n`);
      return 0;
    } catch (err) {
      if (err instanceof DriftwatchError) throw err;
      throw kafkaFailure('topics create', kafka.brokers, err);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
