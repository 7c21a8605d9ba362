/**
 * A Kafka broker of the test's own, started with deploy/kafka/kafka.sh in a
 * private run directory (its own pid, state, log, data, ports) beside the
 * suite's shared broker, so a test can stop and restart it without touching
 * what other test files use. Needs the jars `kafka.sh fetch` downloads (CI
 * fetches them) and Java.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../lib/free-port.js';
import { repoRoot } from './engine-process.js';

const run = promisify(execFile);
const script = join(repoRoot, 'deploy/kafka/kafka.sh');
const libDir = join(repoRoot, 'deploy/kafka/.cache/lib');

/** Why a private broker cannot run here, or undefined when it can. */
export function privateBrokerProblem(): string | undefined {
  if (!existsSync(libDir) || !readdirSync(libDir).some((f) => f.startsWith('kafka_2.13-'))) {
    return `no Kafka jars in ${libDir} (run deploy/kafka/kafka.sh fetch)`;
  }
  return undefined;
}

export class PrivateBroker {
  private constructor(
    private readonly env: Record<string, string>,
    private readonly runDir: string,
    readonly address: string,
  ) {}

  static async start(): Promise<PrivateBroker> {
    const runDir = mkdtempSync(join(tmpdir(), 'dw-private-kafka-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    // No secure listener: a KAFKA_SECURE_PORT in the suite's environment names the shared broker's.
    const env = { KAFKA_RUN_DIR: runDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_SECURE_PORT: '' };
    const broker = new PrivateBroker(env, runDir, `127.0.0.1:${port}`);
    await broker.up();
    return broker;
  }

  /** Starts (again, on the same data) and waits until it serves groups and transactions. */
  async up(): Promise<void> {
    await this.script('start');
  }

  /** SIGTERM, as an operator or an orchestrator stops a broker (kafka.sh escalates to SIGKILL after 30 s). */
  async down(): Promise<void> {
    await this.script('stop');
  }

  async remove(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.runDir, { recursive: true, force: true });
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    try {
      await run('bash', [script, command], { env: { ...process.env, ...this.env }, timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kafka.sh ${command} (private broker in ${this.runDir}): ${e.stderr || e.message}`);
    }
  }
}
