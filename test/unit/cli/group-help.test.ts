import { describe, it, expect } from 'vitest';
import { commands } from '../../../cli/commands/index.js';
import { runCli } from './run-cli.js';

const groups = ['topics', 'sql', 'schemas'];

describe('help of a command group', () => {
  for (const group of groups) {
    const members = commands.filter((c) => c.path[0] === group && c.path.length > 1);
    for (const argv of [[group, '--help'], [group, '-h'], [group], ['help', group]]) {
      it(`driftwatch ${argv.join(' ')} lists the subcommands and exits 0`, async () => {
        const r = await runCli(argv);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain(`Usage: driftwatch ${group} <command> [options]`);
        expect(members.length).toBeGreaterThan(0);
        for (const c of members) {
          expect(r.stdout).toContain(c.path.join(' '));
          expect(r.stdout).toContain(c.summary);
        }
        // Only this group's commands.
        for (const c of commands.filter((c) => c.path[0] !== group)) expect(r.stdout).not.toContain(c.summary);
      });
    }
  }

  it('an unknown subcommand of a group: exit 2, with the group help', async () => {
    const r = await runCli(['topics', 'delete']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('driftwatch: unknown command "topics delete"');
    expect(r.stderr).toContain('topics create');
  });

  it('an unknown word is still an unknown command (exit 2, main help), named without its options', async () => {
    for (const argv of [['bogus', '--help'], ['help', 'bogus'], ['bogus', '-x', 'y']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('driftwatch: unknown command "bogus"\n');
      expect(r.stderr).toContain('Commands:');
    }
  });

  it('an unknown command is named by its command words alone, never the arguments after them (SQL, a password)', async () => {
    const r = await runCli(['qurey', "CREATE USER bob IDENTIFIED BY 'pa55word'"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('driftwatch: unknown command "qurey"; did you mean "query"?\n');
    expect(r.stderr).not.toContain('pa55word');
    const sub = await runCli(['topics', 'creat', 'extra']);
    expect(sub.stderr).toContain('driftwatch: unknown command "topics creat"; did you mean "topics create"?\n');
  });

  it('an argument where a command word goes is not quoted either (the SQL itself, its command forgotten)', async () => {
    for (const argv of [["CREATE USER bob IDENTIFIED BY 'pa55word'"], ['sql', "CREATE USER bob IDENTIFIED BY 'pa55word'"]]) {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toContain('pa55word');
      expect(r.stderr).toMatch(/^driftwatch: unknown command/);
    }
  });

  it('an option before any command is named as an option, not as the unknown command ""', async () => {
    for (const [argv, said] of [
      [['--verbose', 'replay', 'x.ndjson'], 'driftwatch: unknown option "--verbose" before the command; options follow it: driftwatch <command> [options]\n'],
      [['--version', 'extra'], 'driftwatch: --version takes no arguments, got "extra"\n'],
    ] as const) {
      const r = await runCli([...argv]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(said)).toBe(true);
      expect(r.stderr).not.toContain('unknown command ""');
    }
  });

  it('an option after a group word: the group needs a subcommand first', async () => {
    const r = await runCli(['topics', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('driftwatch: unknown option "--bogus" before the subcommand of "topics"; options follow it: driftwatch topics <command> [options]\n');
    expect(r.stderr).toContain('topics create');
  });

  it('a full command path still gets the command help', async () => {
    for (const argv of [['topics', 'create', '--help'], ['help', 'sql', 'migrate']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: driftwatch ${argv.filter((w) => w !== 'help' && w !== '--help').join(' ')}`);
      expect(r.stdout).toContain('Options:');
    }
  });

  it('top-level help is unchanged', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli([])).code).toBe(2);
  });

  it('no command at all is a usage error: the help goes to stderr with exit 2, stdout stays empty', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^driftwatch: no command given\n\n/);
    expect(r.stderr).toContain((await runCli(['--help'])).stdout);
  });
});
