/**
 * How a command that failed says so: once, as one plain line on stderr
 * (`driftwatch <command>: <message> [<code>]`), and an exit code — 2 for
 * usage or configuration, 1 for a runtime failure. The log (pino JSON, on
 * stderr too) gets the same failure as a structured record with the coded
 * fields (code, canRetry, cause) at debug level: printed beside the plain
 * line, it said everything twice. A command whose log is its output for a
 * supervisor (`run`, Command.failuresInLog) logs it at error level instead,
 * where a log pipeline looks for it — a configuration error too: a service
 * that will not start because of a bad variable must say why in its log at
 * the default level, not only at debug.
 */
import type { Command, CommandContext } from './command.js';
import { ConfigError, DriftwatchError, UsageError } from '../lib/errors.js';
import { logLevelOr } from '../lib/logger.js';

/** The stack of an unexpected error is for debugging: shown only at LOG_LEVEL=debug or trace. */
function wantsStack(ctx: CommandContext): boolean {
  const level = logLevelOr(ctx.env.LOG_LEVEL, 'info');
  return level === 'debug' || level === 'trace';
}

function describeUnexpected(err: unknown, withStack: boolean): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const head = `${err.name}: ${err.message}${code !== undefined ? ` [${String(code)}]` : ''}`;
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  if (withStack && frames.length > 0) return `${head}\n${frames.join('\n')}`;
  return `${head} (set LOG_LEVEL=debug for the stack trace)`;
}

/** Writes the failure of `cmd` (its plain line, and its log record) and returns the exit code. */
export function reportFailure(err: unknown, cmd: Command, ctx: CommandContext): number {
  const name = `driftwatch ${cmd.path.join(' ')}`;
  const log = cmd.failuresInLog ? ctx.logger.error.bind(ctx.logger) : ctx.logger.debug.bind(ctx.logger);
  if (err instanceof UsageError || err instanceof ConfigError) {
    // The user's own mistake: the plain line names the option, without a code.
    log({ err: err.toJSON() }, err.message);
    ctx.stderr.write(`${name}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof DriftwatchError) {
    log({ err: err.toJSON() }, err.message);
    ctx.stderr.write(`${name}: ${err.message} [${err.code}]\n`);
    return 1;
  }
  const withStack = wantsStack(ctx);
  // The logger's err serializer would print the stack too: log it only when debugging.
  const brief = err instanceof Error ? { name: err.name, message: err.message, code: (err as NodeJS.ErrnoException).code } : { message: String(err) };
  log({ err: withStack ? err : brief }, 'unexpected failure');
  ctx.stderr.write(`${name}: unexpected failure: ${describeUnexpected(err, withStack)}\n`);
  return 1;
}
