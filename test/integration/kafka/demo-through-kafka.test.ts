/**
 * SPEC §7: `driftwatch demo` runs through Kafka when KAFKA_BROKERS is set —
 * the records go to the input topics and the live engine (the code of
 * `driftwatch run`) finds every injected incident, on topics of its own that
 * it deletes afterwards. Its log follows LOG_LEVEL like every command's (the
 * demo quiets the engine's info lines behind its progress line, never louder
 * than asked), one `component` per line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../unit/cli/run-cli.js';
import { describeKafka, testKafka } from './kafka-env.js';

/** A small bounded demo: 1 env × 2 artifacts over 2 h of event time, with its malformed records (dead letters: warnings). */
const demoArgs = ['demo', '--no-store', '--duration', '2h', '--envs', 'prod', '--artifacts', '2', '--rate', '0'];

describeKafka('driftwatch demo through Kafka', (brokers) => {
  const admin = testKafka(brokers).admin();
  afterAll(() => admin.disconnect());
  const env = (logLevel: string) => ({
    KAFKA_BROKERS: brokers.join(','),
    LOG_LEVEL: logLevel,
    DRIFTWATCH_METRICS_PORT: '0',
    DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-demo-kafka-')),
  });
  const logLines = (log: string) => log.split('\n').filter((l) => l !== '');

  it('finds every injected incident through the broker, deletes its topics, and logs its dead letters once per component', async () => {
    const r = await runCli(demoArgs, env('warn'));
    expect(r.code, r.stderr).toBe(0);
    const topics = /transport kafka \([^,]+, topics (driftwatch\.demo\.[0-9a-f]+)\.\*\)/.exec(r.stdout)?.[1];
    expect(topics, r.stdout).toBeDefined();
    expect(r.stdout).toMatch(/Incidents: (\d+) injected, \1 matched, \1 found — all found, none unexpected/);
    expect(r.stdout).not.toMatch(/Incidents: 0 injected/);
    await admin.connect();
    expect((await admin.listTopics()).filter((t) => t.startsWith(`${topics!}.`))).toEqual([]);
    // The generated malformed records are dead-lettered by the live engine, which says so at warn level.
    const warnings = logLines(r.log).filter((l) => l.includes('"level":40') && l.includes('dead-lettered'));
    expect(warnings.length).toBeGreaterThan(0);
    // JSON with a key twice is read differently by different log tools (most keep the last): one component each.
    for (const line of logLines(r.log)) expect(line.match(/"component":/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
  }, 120_000);

  it('LOG_LEVEL=error keeps its warnings out of the log', async () => {
    const r = await runCli(demoArgs, env('error'));
    expect(r.code, r.stderr).toBe(0);
    expect(logLines(r.log).filter((l) => !/"level":(50|60)/.test(l))).toEqual([]);
  }, 120_000);
});
