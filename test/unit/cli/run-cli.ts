/** Runs the CLI's `main(argv, ctx)` in-process and collects what it wrote to stdout, stderr and the log. */
import { Writable } from 'node:stream';
import { main } from '../../../cli/driftwatch.js';
import { createLogger } from '../../../lib/logger.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON log lines (pino), which a real run also writes to stderr. */
  log: string;
}

class TextSink extends Writable {
  text = '';
  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.text += String(chunk);
    callback();
  }
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  let log = '';
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'info', destination: { write: (msg: string) => void (log += msg) } });
  const code = await main(argv, { logger, env, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text, log };
}

/** A line of a JS stack trace (`    at fn (file:line:col)`). */
export const STACK_FRAME = /^\s+at .+/m;
