/**
 * The `driftwatch` command: picks the subcommand, parses its options from its
 * own table, and turns coded errors into a clear message and exit code 2
 * (usage/configuration) or 1 (runtime failure). Never a stack trace for a
 * user mistake.
 */
import { parseArgs } from 'node:util';
import type { Command, CommandContext } from './command.js';
import { commandHelp, mainHelp } from './help.js';
import { commands } from './commands/index.js';
import { ConfigError, DriftwatchError, UsageError } from '../lib/errors.js';

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const cmd of sorted) {
    if (cmd.path.every((word, i) => argv[i] === word)) return { cmd, rest: argv.slice(cmd.path.length) };
  }
  return undefined;
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.stdout.write(mainHelp(commands));
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    ctx.stderr.write(`driftwatch: unknown command "${argv.join(' ')}"\n\n${mainHelp(commands)}`);
    return 2;
  }
  const { cmd, rest } = found;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
    for (const [name, spec] of Object.entries(cmd.options)) options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${commandHelp(cmd)}`);
    }
    if (parsed.values.help) {
      ctx.stdout.write(commandHelp(cmd));
      return 0;
    }
    const values: Record<string, string | boolean | undefined> = {};
    for (const [name, spec] of Object.entries(cmd.options)) values[name] = (parsed.values as Record<string, string | boolean | undefined>)[name] ?? spec.default;
    return await cmd.run({ positionals: parsed.positionals, values }, ctx);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      ctx.stderr.write(`driftwatch ${cmd.path.join(' ')}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DriftwatchError) {
      ctx.logger.error({ err: err.toJSON() }, err.message);
      ctx.stderr.write(`driftwatch ${cmd.path.join(' ')}: ${err.message} [${err.code}]\n`);
      return 1;
    }
    ctx.logger.error({ err }, 'unexpected failure');
    ctx.stderr.write(`driftwatch ${cmd.path.join(' ')}: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
