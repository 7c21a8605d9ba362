/**
 * The shape every subcommand has: a name, a one-line summary, documented
 * options (so `--help` is generated from the same table the parser uses) and
 * `run`, which returns the process exit code.
 */
import type { Logger } from '../lib/logger.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  doc: string;
  default?: string | boolean;
  /** Shown in help, e.g. `<dir>`. */
  valueName?: string;
}

export interface CommandContext {
  logger: Logger;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where `replay -` reads its events (default: the process's standard input). */
  stdin?: NodeJS.ReadableStream;
  /** The run's correlation id, already bound to `logger` (set by main for each command run). */
  runId?: string;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** The options given on the command line (`values` also holds the defaults of the others). */
  given?: ReadonlySet<string>;
}

export interface Command {
  /** Words that select the command, e.g. ['topics', 'create']. */
  path: string[];
  summary: string;
  /** Positional arguments, for help, e.g. '<events.ndjson>'. */
  args?: string;
  description?: string;
  options: Record<string, OptionSpec>;
  /**
   * The command's log is its output, read by a supervisor's log pipeline (`run`): any failure that ends it (a configuration error too) is
   * an error line of the log as well as its plain line on stderr. Other commands say it once, on stderr, and log it
   * at debug (cli/report-failure.ts).
   */
  failuresInLog?: boolean;
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}
