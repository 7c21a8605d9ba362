/**
 * The `driftwatch` command: picks the subcommand, parses its options from its
 * own table, and turns coded errors into one clear line and exit code 2
 * (usage/configuration) or 1 (runtime failure) (cli/report-failure.ts).
 * Never a stack trace for a user mistake.
 */
import { parseArgs } from 'node:util';
import type { Command, CommandContext } from './command.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { shieldDashedText } from './dashed-arguments.js';
import { commands } from './commands/index.js';
import { UsageError } from '../lib/errors.js';
import { reportFailure } from './report-failure.js';
import { uniqueId } from '../lib/ids.js';
import { packageVersion } from './version.js';
import { closest } from '../config/config-problems.js';

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const cmd of sorted) {
    if (cmd.path.every((word, i) => argv[i] === word)) return { cmd, rest: argv.slice(cmd.path.length) };
  }
  return undefined;
}

const isHelpFlag = (arg: string | undefined) => arg === '--help' || arg === '-h';
const isVersionFlag = (arg: string | undefined) => arg === '--version' || arg === '-v' || arg === '-V' || arg === 'version';

/**
 * The longest leading run of `argv`'s words that is a group of commands (a
 * proper prefix of at least one command path, e.g. `topics` or `sql`), with
 * the arguments after it.
 */
function findGroup(argv: string[]): { group: string[]; rest: string[] } | undefined {
  for (let n = Math.min(argv.length, Math.max(...commands.map((c) => c.path.length)) - 1); n >= 1; n--) {
    const group = argv.slice(0, n);
    if (commands.some((c) => c.path.length > n && group.every((w, i) => c.path[i] === w))) return { group, rest: argv.slice(n) };
  }
  return undefined;
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  // `driftwatch help topics` = `driftwatch topics --help`, `help sql migrate` = `sql migrate --help`.
  if (argv[0] === 'help' && argv.length > 1) return main([...argv.slice(1), '--help'], ctx);
  if (isVersionFlag(argv[0])) {
    if (argv.length === 1) {
      ctx.stdout.write(`driftwatch ${packageVersion()}\n`);
      return 0;
    }
    ctx.stderr.write(`driftwatch: ${argv[0]} takes no arguments, got "${argv.slice(1).join(' ')}"\n`);
    return 2;
  }
  // Asked for, the help is the output (stdout, 0); with no command it answers a usage error (stderr, 2), so
  // `driftwatch > file` in a script that lost its arguments neither fills the file nor looks like success.
  if (argv.length === 0) {
    ctx.stderr.write(`driftwatch: no command given\n\n${mainHelp(commands)}`);
    return 2;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.stdout.write(mainHelp(commands));
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = findGroup(argv);
    if (group && (group.rest.length === 0 || group.rest.every(isHelpFlag))) {
      ctx.stdout.write(groupHelp(group.group, commands));
      return 0;
    }
    const help = group ? groupHelp(group.group, commands) : mainHelp(commands);
    // Name the command words only: `help bogus` runs as `bogus --help`, and options are not part of the command.
    const firstOption = argv.findIndex((a) => a.startsWith('-'));
    const words = firstOption < 0 ? argv : argv.slice(0, firstOption);
    // No command word before the first option (`driftwatch --verbose replay …`, `topics --force`): naming the
    // command would name "" (or just the group); the option is what is out of place.
    if (words.length === (group ? group.group.length : 0)) {
      const where = group ? `the subcommand of "${group.group.join(' ')}"` : 'the command';
      const usage = group ? `driftwatch ${group.group.join(' ')} <command> [options]` : 'driftwatch <command> [options]';
      ctx.stderr.write(`driftwatch: unknown option "${argv[words.length]}" before ${where}; options follow it: ${usage}\n\n${help}`);
      return 2;
    }
    // The command words alone: what follows the unknown one is its arguments (SQL, which may hold a password).
    const named = words.slice(0, (group ? group.group.length : 0) + 1).join(' ');
    // The unknown word is an argument itself when the command was forgotten (`driftwatch sql "CREATE USER …"`):
    // only a word shaped like a command word is quoted.
    const unknownWord = words[group ? group.group.length : 0]!;
    if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(unknownWord)) {
      const after = group ? ` after "${group.group.join(' ')}"` : '';
      ctx.stderr.write(`driftwatch: unknown command${after}: an argument (not shown) where a command word goes\n\n${help}`);
      return 2;
    }
    const guess = closest(named, commands.map((c) => c.path.join(' ')));
    ctx.stderr.write(`driftwatch: unknown command "${named}"${guess ? `; did you mean "${guess}"?` : ''}\n\n${help}`);
    return 2;
  }
  const { cmd, rest } = found;
  // One correlation id for the whole run, bound before anything is logged: a failure's log line carries it too.
  const runId = uniqueId('run');
  ctx = { ...ctx, runId, logger: ctx.logger.child({ runId }) };
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
    for (const [name, spec] of Object.entries(cmd.options)) options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
    let parsed;
    const text = shieldDashedText(rest);
    try {
      parsed = parseArgs({ args: text.args, options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${commandHelp(cmd)}`);
    }
    parsed.positionals = parsed.positionals.map(text.restore);
    for (const [name, value] of Object.entries(parsed.values)) {
      if (typeof value === 'string') (parsed.values as Record<string, unknown>)[name] = text.restore(value);
    }
    if (parsed.values.help) {
      ctx.stdout.write(commandHelp(cmd));
      return 0;
    }
    // An empty value is never what was meant (`--alerts "$UNSET"`, `--data-dir ""`): it would silently mean the
    // default, or the current directory. Left out, an option takes its default; given, it must say something.
    for (const [name, spec] of Object.entries(cmd.options)) {
      const given = (parsed.values as Record<string, string | boolean | undefined>)[name];
      if (spec.type === 'string' && typeof given === 'string' && given.trim() === '') {
        throw new UsageError(`--${name}: empty value; give ${spec.valueName ?? 'a value'} or leave the option out`);
      }
    }
    const values: Record<string, string | boolean | undefined> = {};
    for (const [name, spec] of Object.entries(cmd.options)) values[name] = (parsed.values as Record<string, string | boolean | undefined>)[name] ?? spec.default;
    const given = new Set(Object.keys(parsed.values).filter((k) => (parsed.values as Record<string, unknown>)[k] !== undefined));
    return await cmd.run({ positionals: parsed.positionals, values, given }, ctx);
  } catch (err) {
    return reportFailure(err, cmd, ctx);
  }
}
