/** Help text generated from the command table, so docs and parser never disagree. */
import type { Command } from './command.js';
import { configReference } from '../config/env-config.js';

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: driftwatch ${cmd.path.join(' ')}${cmd.args ? ' ' + cmd.args : ''} [options]`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  lines.push('', 'Options:');
  const opts = Object.entries(cmd.options).concat([['help', { type: 'boolean', short: 'h', doc: 'show this help' }]]);
  for (const [name, spec] of opts) {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}`;
    const def = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${flag.padEnd(30)} ${spec.doc}${def}`);
  }
  return lines.join('\n') + '\n';
}

export function mainHelp(commands: readonly Command[]): string {
  const lines = [
    'driftwatch — detect drift between what was promoted and what runs, and track MTTR',
    '',
    'Usage: driftwatch <command> [options]',
    '',
    'Commands:',
  ];
  for (const c of commands) lines.push(`  ${(c.path.join(' ') + (c.args ? ' ' + c.args : '')).padEnd(34)} ${c.summary}`);
  lines.push('', 'Run `driftwatch <command> --help` for the options of one command; `driftwatch --version` prints the version.', '', 'Environment (every option has a default):');
  for (const o of configReference()) lines.push(`  ${o.env.padEnd(32)} ${o.doc} (default: ${o.default === '' ? 'unset' : o.default})`);
  return lines.join('\n') + '\n';
}

/** Help of a command group such as `topics` or `sql`: its subcommands with their summaries. */
export function groupHelp(group: readonly string[], commands: readonly Command[]): string {
  const name = group.join(' ');
  const members = commands.filter((c) => c.path.length > group.length && group.every((w, i) => c.path[i] === w));
  const lines = [`Usage: driftwatch ${name} <command> [options]`, '', 'Commands:'];
  for (const c of members) lines.push(`  ${(c.path.join(' ') + (c.args ? ' ' + c.args : '')).padEnd(34)} ${c.summary}`);
  lines.push('', `Run \`driftwatch ${name} <command> --help\` for the options of one command.`);
  return lines.join('\n') + '\n';
}
