/**
 * A Kafka broker of the test's own, started with deploy/kafka/kafka.sh in a
 * private run directory (its own pid, state, log, data, ports) beside the
 * suite's shared broker, so a test can stop and restart it without touching
 * what other test files use. Needs the jars `kafka.sh fetch` downloads (CI
 * fetches them) and Java.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../lib/free-port.js';
import { PrivateService } from '../../helpers/private-service.js';
import { repoRoot } from './engine-process.js';

const script = join(repoRoot, 'deploy/kafka/kafka.sh');
const libDir = join(repoRoot, 'deploy/kafka/.cache/lib');

/** Why a private broker cannot run here, or undefined when it can. */
export function privateBrokerProblem(): string | undefined {
  if (!existsSync(libDir) || !readdirSync(libDir).some((f) => f.startsWith('kafka_2.13-'))) {
    return `no Kafka jars in ${libDir} (run deploy/kafka/kafka.sh fetch)`;
  }
  return undefined;
}

export class PrivateBroker extends PrivateService {
  private constructor(
    env: Record<string, string>,
    private readonly runDir: string,
    readonly address: string,
  ) {
    super(script, 'private broker', env, runDir);
  }

  static async start(): Promise<PrivateBroker> {
    const runDir = mkdtempSync(join(tmpdir(), 'dw-private-kafka-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    // No secure listener: a KAFKA_SECURE_PORT in the suite's environment names the shared broker's.
    const env = { KAFKA_RUN_DIR: runDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_SECURE_PORT: '' };
    const broker = new PrivateBroker(env, runDir, `127.0.0.1:${port}`);
    await broker.up(); // and waits until it serves groups and transactions
    return broker;
  }

  /**
   * kill -9 of the broker's JVM, as a crash or an OOM killer ends it: no controlled shutdown, no clean-shutdown
   * marker, so the next `up()` recovers the logs (README of test/soak: Broker killed). Resolves once the process is
   * gone. The pid is kafka.sh's pid file, checked against the process's command line (a reused pid is not ours).
   */
  async crash(): Promise<void> {
    const pidFile = join(this.runDir, 'kafka.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    const cmdline = (): string => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return ''; // gone
      }
    };
    if (!Number.isInteger(pid) || !cmdline().includes('kafka.Kafka')) throw new Error(`private broker in ${this.runDir}: no running broker to kill`);
    process.kill(pid, 'SIGKILL');
    while (cmdline().includes('kafka.Kafka')) await new Promise((r) => setTimeout(r, 100));
  }
}
