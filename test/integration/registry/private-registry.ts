/**
 * A schema registry of the test's own, started with
 * deploy/schema-registry/registry.sh in a private run directory
 * (SCHEMA_REGISTRY_RUN_DIR: its pid, state, log) on a free port beside the
 * suite's shared registry, with its database in files
 * (SCHEMA_REGISTRY_DATA_DIR) so that a stop and a start keep every subject
 * and schema id, as a production registry does. A test may stop it mid-run
 * without touching what other test files use. Needs the distribution
 * `registry.sh fetch` downloads (CI fetches it) and Java.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../lib/free-port.js';
import { PrivateService } from '../../helpers/private-service.js';
import { repoRoot } from '../live/engine-process.js';

const script = join(repoRoot, 'deploy/schema-registry/registry.sh');
const appDir = join(repoRoot, 'deploy/schema-registry/.cache/app');

/** Why a private registry cannot run here, or undefined when it can. */
export function privateRegistryProblem(): string | undefined {
  return existsSync(join(appDir, 'lib')) ? undefined : `no Apicurio distribution in ${appDir} (run deploy/schema-registry/registry.sh fetch)`;
}

export class PrivateRegistry extends PrivateService {
  private constructor(env: Record<string, string>, dir: string, /** The API root, as SCHEMA_REGISTRY_URL takes it. */ readonly url: string) {
    super(script, 'private registry', env, dir);
  }

  static async start(): Promise<PrivateRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'dw-private-registry-'));
    const port = await freePort();
    const env = { SCHEMA_REGISTRY_RUN_DIR: join(dir, 'run'), SCHEMA_REGISTRY_DATA_DIR: join(dir, 'data'), SCHEMA_REGISTRY_PORT: String(port) };
    const registry = new PrivateRegistry(env, dir, `http://127.0.0.1:${port}/apis/ccompat/v7`);
    await registry.up(); // and waits until the Confluent API answers
    return registry;
  }
}
