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
});
