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
