/**
 * README "Commands": the table names exactly the commands `driftwatch` has,
 * and every option the README mentions (`--out`, `-f`, …) is one a command
 * takes — a renamed or removed flag would otherwise live on in the docs.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../../cli/commands/index.js';
import { readme, readmeTable } from '../../helpers/readme-tables.js';

describe('README commands', () => {
  it('lists every command, and only those', () => {
    const listed = readmeTable('command').map(([cell]) => /^`driftwatch ([a-z]+(?: [a-z]+)?)/.exec(cell)![1]);
    expect(listed.sort()).toEqual(commands.map((c) => c.path.join(' ')).sort());
  });

  it('mentions only options a command takes', () => {
    const flags = new Set(['--help', '-h', '--version']);
    for (const c of commands) {
      for (const [name, o] of Object.entries(c.options)) {
        flags.add(`--${name}`);
        if (o.short) flags.add(`-${o.short}`);
      }
    }
    // The options of other tools' command lines (vitest, docker compose, kafka-acls.sh) are theirs; a command
    // continued with a backslash is one line.
    const ours = readme.replace(/\\\n/g, ' ').split('\n').filter((l) => !/vitest run|docker compose|kafka-acls\.sh/.test(l)).join('\n');
    const mentioned = [...ours.matchAll(/(?<=[\s`(])--?[a-z][a-z-]*(?=[\s`=,)])/g)].map((m) => m[0]);
    expect(mentioned.length).toBeGreaterThan(10);
    expect(mentioned.filter((f) => !flags.has(f))).toEqual([]);
  });

  // The other way round: the README is where an SRE looks first, so every option a command takes is named there in
  // the row of its command (by its long or its short form), not only in `--help` — a flag added to a command
  // without a word in the README was a feature nobody reading it would find.
  it('names every option of a command in that command\'s row', () => {
    const rows = new Map(readmeTable('command').map(([cell, ...rest]) => [/^`driftwatch ([a-z]+(?: [a-z]+)?)/.exec(cell!)![1], rest.join(' | ')]));
    const missing: string[] = [];
    for (const c of commands) {
      const row = rows.get(c.path.join(' '))!;
      for (const [name, o] of Object.entries(c.options)) {
        const forms = [`--${name}`, ...(o.short ? [`-${o.short}`] : [])];
        if (!forms.some((f) => new RegExp(`(?<=[\\s\`(])${f}(?=[\\s\`=,)])`).test(row))) missing.push(`${c.path.join(' ')} ${forms[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
