/** `driftwatch schemas register`: register the Avro schemas of the input and alert topics (BACKWARD compatibility). */
import type { Command } from '../command.js';
import { ConfigError, UsageError } from '../../lib/errors.js';
import { redactUrl } from '../../lib/logger.js';
import { loadRuntime } from '../runtime.js';
import { RegistryAdmin } from '../../schemas/registry/registry-admin.js';
import { RegistryRetry } from '../../schemas/registry/registry-retry.js';
import { isTransientRegistryError } from '../../schemas/registry/registry-errors.js';
import { driftwatchSubjects, formatRegistrationReport, registerSubject } from '../../schemas/registry/register-schemas.js';
import { checkTopicNames } from '../../topics/topic-definitions.js';

export const schemasRegisterCommand: Command = {
  path: ['schemas', 'register'],
  summary: 'register the Avro schemas of the input and alert topics in the schema registry (idempotent)',
  description:
    'Registers schemas/avro/{promotion,hydration,index,alert}-event.avsc under the subjects <topic>-value of\n' +
    'DRIFTWATCH_TOPIC_PROMOTION, _HYDRATION, _INDEX and _ALERTS in SCHEMA_REGISTRY_URL, each with BACKWARD\n' +
    'compatibility (kept when a subject already has a stricter level). An unchanged schema is reported as already\n' +
    'registered; a schema the registry refuses as incompatible fails the command with the registry\'s reason.\n' +
    'Waits up to 30 s for a registry that is still starting. Two of those options naming one topic are refused.',
  options: {},
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected arguments: ${args.positionals.join(' ')}`);
    const rt = loadRuntime(ctx);
    const url = rt.config.schemaRegistryUrl;
    if (url === null) {
      throw new ConfigError('SCHEMA_REGISTRY_URL', 'is required by `schemas register`; set it to the registry API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7');
    }
    // Subjects are named after the topics: two options naming one topic would put two schemas under one subject.
    checkTopicNames(rt.config.kafka.topics);
    const admin = new RegistryAdmin(url);
    const retry = new RegistryRetry({ maxElapsedMs: 30_000, logger: rt.logger, what: 'schema registration' });
    const subjects = driftwatchSubjects(rt.config.kafka.topics);
    let registered = 0;
    for (const spec of subjects) {
      try {
        const report = await retry.run(() => registerSubject(admin, spec));
        ctx.stdout.write(formatRegistrationReport(report) + '\n');
        registered++;
      } catch (err) {
        ctx.stderr.write(`${spec.subject}: ${err instanceof Error ? err.message : String(err)}\n`);
        // Still unreachable after waiting: the other subjects would only wait again.
        if (isTransientRegistryError(err)) break;
      }
    }
    const n = subjects.length;
    ctx.stdout.write(`${registered === n ? `all ${n}` : `${registered} of ${n}`} subjects registered in ${redactUrl(url)}\n`);
    return registered === n ? 0 : 1;
  },
};
