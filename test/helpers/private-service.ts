/**
 * A service of a test's own, run by one of the deploy/ scripts (kafka.sh,
 * registry.sh) in a private directory with its own ports (the script's
 * variables, in `env`), beside the suite's shared instance, so a test can stop
 * and start it without touching what other test files use.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class PrivateService {
  constructor(
    /** The deploy script, e.g. deploy/kafka/kafka.sh. */
    private readonly script: string,
    /** What failures call it, e.g. "private broker". */
    private readonly what: string,
    private readonly env: Record<string, string>,
    /** Everything of this instance (removed by `remove`). */
    private readonly dir: string,
  ) {}

  /** `<script> start`: starts (again, on the same data) and waits until it is ready. */
  async up(): Promise<void> {
    await this.command('start');
  }

  /** `<script> stop`: SIGTERM, as an operator or an orchestrator stops it (the scripts escalate to SIGKILL after 30 s). */
  async down(): Promise<void> {
    await this.command('stop');
  }

  async remove(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async command(command: 'start' | 'stop'): Promise<void> {
    try {
      await run('bash', [this.script, command], { env: { ...process.env, ...this.env }, timeout: 150_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${this.script} ${command} (${this.what} in ${this.dir}): ${e.stderr || e.message}`);
    }
  }
}
