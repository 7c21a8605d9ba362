/**
 * DRIFTWATCH_DATA_DIR pointing at a plain file (or under one) is a
 * configuration error naming the variable (exit 2), not a store failure:
 * `run` and `sql migrate` said `cannot create the embedded store directory
 * …: ENOTDIR [DW_STORE_FAILED]` with exit 1, and `demo` an unexpected EEXIST.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const base = mkdtempSync(join(tmpdir(), 'dw-data-dir-'));
const file = join(base, 'a-file');
writeFileSync(file, '');
const storeFile = join(base, 'dir-with-store-file');
mkdirSync(storeFile);
writeFileSync(join(storeFile, 'store'), '');

describe('DRIFTWATCH_DATA_DIR that is not a directory', () => {
  it.each([
    ['sql migrate, the data dir a file', ['sql', 'migrate'], file, file],
    ['sql migrate, the data dir under a file', ['sql', 'migrate'], join(file, 'sub'), file],
    ['sql migrate, its store a file', ['sql', 'migrate'], storeFile, join(storeFile, 'store')],
    ['demo', ['demo'], file, file],
    // The store is opened before the broker is asked anything: nothing listens on port 1.
    ['run', ['run'], file, file],
  ])('%s: exit 2 naming DRIFTWATCH_DATA_DIR', async (_what, argv, dataDir, culprit) => {
    const r = await runCli(argv, { DRIFTWATCH_DATA_DIR: dataDir, LOG_LEVEL: 'silent', KAFKA_BROKERS: argv[0] === 'run' ? '127.0.0.1:1' : '', DRIFTWATCH_METRICS_PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`: DRIFTWATCH_DATA_DIR: ${culprit}`);
    expect(r.stderr).toContain('is a file, not a directory');
    expect(r.stderr).not.toContain('DW_STORE_FAILED');
  });
});

// `--data-dir` (sql migrate, query) names the store directory itself: a file there is the flag's mistake, said as
// such (exit 2), where `sql migrate` said `cannot create the embedded store directory …: EEXIST [DW_STORE_FAILED]`.
describe('--data-dir that is not a directory', () => {
  it.each([
    ['sql migrate, a file', ['sql', 'migrate', '--data-dir', file], file],
    ['sql migrate, under a file', ['sql', 'migrate', '--data-dir', join(file, 'sub')], file],
    ['query, a file', ['query', '--data-dir', file, 'SELECT 1'], file],
  ])('%s: exit 2 naming --data-dir', async (_what, argv, culprit) => {
    const r = await runCli(argv, { DRIFTWATCH_DATA_DIR: join(base, 'unused'), LOG_LEVEL: 'silent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`: --data-dir: ${culprit} is a file, not a directory`);
    expect(r.stderr).not.toContain('DRIFTWATCH_DATA_DIR');
    expect(r.stderr).not.toContain('DW_STORE_FAILED');
  });
});
