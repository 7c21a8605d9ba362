import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

describe('an unreadable alerts file is reported under the option that named it', () => {
  it('DRIFTWATCH_ALERTS_FILE', async () => {
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never'], { DRIFTWATCH_ALERTS_FILE: '/nonexistent/alerts.yaml' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: DRIFTWATCH_ALERTS_FILE: \/nonexistent\/alerts\.yaml: cannot read the alerts file \(ENOENT/);
  });

  it('--alerts, even when DRIFTWATCH_ALERTS_FILE names the same path', async () => {
    const path = '/nonexistent/alerts.yaml';
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never', '--alerts', path], { DRIFTWATCH_ALERTS_FILE: path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^driftwatch replay: --alerts: \/nonexistent\/alerts\.yaml: cannot read the alerts file/);
  });
});

describe('an alerts file that reads but is invalid is reported under the option that named it, then the file and the entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-alerts-invalid-'));
  const notYaml = join(dir, 'not-yaml.yaml');
  const badEntry = join(dir, 'bad-entry.yaml');
  writeFileSync(notYaml, 'rules: [\n');
  writeFileSync(badEntry, 'rules:\n  mttr_breach:\n    threshold: soon\n');

  it.each([
    ['DRIFTWATCH_ALERTS_FILE', notYaml, 'not valid YAML: '],
    ['DRIFTWATCH_ALERTS_FILE', badEntry, 'rules.mttr_breach.threshold: '],
    ['--alerts', notYaml, 'not valid YAML: '],
    ['--alerts', badEntry, 'rules.mttr_breach.threshold: '],
  ])('%s=%s', async (option, path, what) => {
    const r = option === '--alerts'
      ? await runCli(['replay', 'in.ndjson', '--out', '/tmp/never', '--alerts', path])
      : await runCli(['replay', 'in.ndjson', '--out', '/tmp/never'], { DRIFTWATCH_ALERTS_FILE: path });
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`driftwatch replay: ${option}: ${path}: ${what}`)).toBe(true);
  });
});

describe('an alerts file that is not a file of rules is refused, not read without bound', () => {
  it.each([
    ['/dev/zero', /\/dev\/zero: cannot read the alerts file \(it is not a regular file \(a device or a socket\)\)/],
    [tmpdir(), /cannot read the alerts file \(it is a directory\)/],
  ])('%s', async (path, message) => {
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never'], { DRIFTWATCH_ALERTS_FILE: path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('over 1 MiB', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dw-alerts-big-')), 'alerts.yaml');
    writeFileSync(path, '#'.repeat(2 << 20));
    const r = await runCli(['replay', 'in.ndjson', '--out', '/tmp/never'], { DRIFTWATCH_ALERTS_FILE: path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the alerts file \(it is larger than 1048576 bytes/);
  });
});
