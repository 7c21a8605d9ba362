import { describe, it, expect } from 'vitest';
import { commands } from '../../../cli/commands/index.js';
import { runCli } from './run-cli.js';

describe('commands that take no positional arguments reject them (exit 2)', () => {
  it('sql migrate extra-arg', async () => {
    const r = await runCli(['sql', 'migrate', 'extra-arg']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('driftwatch sql migrate: unexpected arguments: extra-arg\n');
    expect(r.stdout).toBe('');
  });

  // `run` included: it checks before it reads any configuration or connects anywhere.
  const noArgs = commands.filter((c) => c.args === undefined);
  it.each(noArgs.map((c) => [c.path.join(' '), c.path] as const))('%s extra-arg', async (name, path) => {
    const r = await runCli([...path, 'extra-arg', 'another']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`driftwatch ${name}: unexpected arguments: extra-arg another\n`);
  });

  it('replay with a second file', async () => {
    const r = await runCli(['replay', 'a.ndjson', 'b.ndjson', '--out', '/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('driftwatch replay: unexpected arguments: b.ndjson\n');
  });
});

describe('a string option given an empty value is a usage error (it would silently mean the default or the current directory)', () => {
  const withStringOptions = commands.flatMap((c) => Object.entries(c.options).filter(([, s]) => s.type === 'string').map(([name]) => [c.path.join(' '), name, c.path] as const));
  it.each(withStringOptions)('%s --%s ""', async (_name, option, path) => {
    const r = await runCli([...path, ...(path[0] === 'replay' ? ['x.ndjson'] : path[0] === 'query' ? ['SELECT 1'] : []), `--${option}`, ' ']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^driftwatch ${path.join(' ')}: --${option}: empty value; give .+ or leave the option out\\n$`));
  });

  it('replay --alerts "" does not fall back to the built-in rules', async () => {
    const r = await runCli(['replay', 'x.ndjson', '--out', '/tmp/never', '--alerts', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('driftwatch replay: --alerts: empty value; give <file> or leave the option out\n');
  });
});
