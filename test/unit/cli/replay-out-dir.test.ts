import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.js';
import { acquireDirLock, LOCK_FILE } from '../../../lib/dir-lock.js';

const fixtures = fileURLToPath(new URL('../../scenarios/fixtures/', import.meta.url));
const fresh = () => mkdtempSync(join(tmpdir(), 'dw-replay-out-'));

describe('replay --out: one run at a time, whole files', () => {
  it('refuses an --out another run holds, and leaves that run\'s files alone', async () => {
    const out = fresh();
    writeFileSync(join(out, 'alerts.ndjson'), 'previous run\n');
    const lock = acquireDirLock(out, 'replay', `--out ${out}`); // stands for a replay still running there
    try {
      const r = await runCli(['replay', join(fixtures, 'rollback.ndjson'), '--out', out, '--no-store']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^driftwatch replay: --out ${out} is in use by driftwatch replay \\(pid ${process.pid}, since .*\\); wait for it to finish or use another directory \\[DW_INPUT_FAILED\\]\n$`));
      expect(readFileSync(join(out, 'alerts.ndjson'), 'utf8')).toBe('previous run\n');
    } finally {
      lock.release();
    }
  });

  it('writes its files whole and releases the lock', async () => {
    const out = fresh();
    const first = await runCli(['replay', join(fixtures, 'rollback.ndjson'), '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(readdirSync(out).sort()).toEqual(['alerts.ndjson', 'dlq.ndjson', 'incidents.ndjson', 'store']); // no lock, no partial files left
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    const alerts = readFileSync(join(out, 'alerts.ndjson'), 'utf8');
    expect(alerts.split('\n').filter(Boolean).length).toBeGreaterThan(0);

  });

  it('refuses an --out whose store holds an earlier run (exit 2, naming --out and --force); --force replaces what that run left', async () => {
    const out = fresh();
    expect((await runCli(['replay', join(fixtures, 'rollback.ndjson'), '--out', out])).code).toBe(0);
    const earlier = readFileSync(join(out, 'incidents.ndjson'), 'utf8');

    for (const flags of [[], ['--no-store']]) {
      const refused = await runCli(['replay', join(fixtures, 'rogue-version.ndjson'), '--out', out, ...flags]);
      expect(refused.code, flags.join(' ')).toBe(2);
      expect(refused.stderr).toBe(
        `driftwatch replay: --out ${out}: ${join(out, 'store')} already holds a store (of an earlier replay?), whose rows would mix with this input's; ` +
          'use a fresh --out, or pass --force to replace what the earlier run left there (its store and .ndjson files)\n',
      );
      expect(readFileSync(join(out, 'incidents.ndjson'), 'utf8')).toBe(earlier); // left alone
    }

    const forced = await runCli(['replay', join(fixtures, 'rogue-version.ndjson'), '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('');
    // The store describes this input only: the earlier run's incident (prod/pay, resolved at its end) is gone.
    const rows = await runCli(['query', '--data-dir', join(out, 'store'), '-f', 'jsonl', 'SELECT env, artifact FROM driftwatch.incidents FINAL']);
    expect(rows.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ env: 'staging', artifact: 'web' }]);
    expect(readdirSync(out).sort()).toEqual(['alerts.ndjson', 'dlq.ndjson', 'incidents.ndjson', 'store']);
  });

  it("never removes a <out>/store that is not an embedded store (a directory of the user's that happens to be called store)", async () => {
    const out = fresh();
    mkdirSync(join(out, 'store'));
    writeFileSync(join(out, 'store', 'notes.txt'), 'mine\n');
    for (const flags of [[], ['--force']]) {
      const r = await runCli(['replay', join(fixtures, 'rollback.ndjson'), '--out', out, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toBe(
        `driftwatch replay: --out ${out}: ${join(out, 'store')} holds files that are not a driftwatch embedded store's; ` +
          'replay writes its store there: choose another --out\n',
      );
      expect(readFileSync(join(out, 'store', 'notes.txt'), 'utf8')).toBe('mine\n');
    }
  });

  it('documents --force in --help', async () => {
    const help = await runCli(['replay', '--help']);
    expect(help.stdout).toMatch(/--force +replace what an earlier replay left in --out/);
  });

  it('refuses, as usage errors (exit 2), a missing input, one of --out\'s own output files (it would overwrite its input) and a directory, before creating anything', async () => {
    const out = fresh();
    const events = readFileSync(join(fixtures, 'rogue-version.ndjson'), 'utf8');
    for (const name of ['dlq.ndjson', 'alerts.ndjson', 'incidents.ndjson']) {
      writeFileSync(join(out, name), events); // e.g. re-driving dead letters: replay out/dlq.ndjson --out out
      const r = await runCli(['replay', join(out, name), '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`input file ${join(out, name)} is ${join(out, name)}, which this run writes: replaying it there would overwrite the input`);
      expect(readFileSync(join(out, name), 'utf8')).toBe(events); // the input is untouched
    }
    expect(existsSync(join(out, 'store'))).toBe(false);

    const dir = fresh();
    const other = join(fresh(), 'o');
    const r = await runCli(['replay', dir, '--out', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`input file ${dir} is a directory: expected an NDJSON file`);
    expect(existsSync(other)).toBe(false); // refused before the output directory and its store were made

    const missing = await runCli(['replay', join(dir, 'missing.ndjson'), '--out', other]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`driftwatch replay: input file ${join(dir, 'missing.ndjson')} does not exist\n`);
    expect(existsSync(other)).toBe(false);
  });
});
