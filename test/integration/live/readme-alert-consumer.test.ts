/**
 * The minimal consumer of README "Consuming alerts", run as written there (a
 * node process of its own; only the topic and group id replaced, and `page`
 * supplied), against what `driftwatch run` commits to the alert topic — in
 * JSON and, with DRIFTWATCH_ALERT_FORMAT=avro, through the schema registry.
 * Every emission of the scenario reaches `page` once, told apart as the
 * README says: an instance's first firing is `new`, a later firing
 * `updated`, its end `resolved`, each with the alertId replay gives it;
 * decoded Avro alerts equal the JSON ones but for optional fields, which are
 * null where JSON leaves them out. Over the lifecycle edges fixture, an
 * instance begun in the millisecond the previous one of its fingerprint
 * ended (same fingerprint and startsAt) is paged `new`, not `updated`.
 */
import { it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { readmeConsumer } from '../../helpers/readme-consumer.js';
import { describeKafka } from '../kafka/kafka-env.js';
import { repoRoot, runCli } from './engine-process.js';
import { liveSuite, until } from './live-env.js';
import { alertLine } from './reference.js';
import { soloFixtureRun } from './solo-fixture-run.js';

const REGISTRY = (process.env.SCHEMA_REGISTRY_URL ?? '').trim();
/** The Avro case needs the registry: skipped without one, except under CI=true (where it must run). */
const noRegistry = REGISTRY === '' && process.env.CI !== 'true';

type Page = { kind: string; alert: AlertEvent };

/**
 * Runs the README consumer on `topic` until `count` pages were made; `page` prints each as a JSON line.
 * The file lives in the repository (under .data/, git-ignored) so that its imports resolve as a user's
 * would, from node_modules.
 */
async function runReadmeConsumer(topic: string, count: number, env: Record<string, string>): Promise<Page[]> {
  const code = readmeConsumer();
  expect(code).toContain("'driftwatch.alerts.v1'");
  expect(code).toContain("groupId: 'pager'");
  mkdirSync(join(repoRoot, '.data'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.data', 'readme-consumer-'));
  const file = join(dir, 'consumer.mjs');
  writeFileSync(
    file,
    code.replace("'driftwatch.alerts.v1'", JSON.stringify(topic)).replace("groupId: 'pager'", `groupId: ${JSON.stringify(`dwtest.pager.${randomUUID()}`)}`) +
      '\nasync function page(kind, a) { console.log(JSON.stringify({ kind, alert: a })); }\n' +
      "process.on('SIGTERM', () => consumer.disconnect().finally(() => process.exit(0)));\n",
  );
  const child = spawn(process.execPath, [file], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pages: Page[] = [];
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const l of lines) if (l.startsWith('{"kind"')) pages.push(JSON.parse(l) as Page);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  try {
    await until(`${count} pages from the README consumer`, async () => (pages.length >= count || child.exitCode !== null ? true : undefined), { timeoutMs: 30_000 });
    if (child.exitCode !== null) throw new Error(`the README consumer exited ${child.exitCode}: ${err}`);
    await new Promise((r) => setTimeout(r, 1000)); // long enough for a page too many to show
    return pages;
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The README's kinds, from the alerts in topic order: per instance (fingerprint + startsAt) new, updated…, resolved;
 * a firing after the resolved of its fingerprint + startsAt is the next instance, begun in the millisecond that one ended.
 */
function expectedKinds(alerts: readonly AlertEvent[]): string[] {
  const firing = new Set<string>();
  return alerts.map((a) => {
    const instance = `${a.fingerprint} ${a.startsAt}`;
    const kind = a.status === 'resolved' ? 'resolved' : firing.has(instance) ? 'updated' : 'new';
    if (a.status === 'resolved') firing.delete(instance);
    else firing.add(instance);
    return `${kind} ${alertLine(a)}`;
  });
}

describeKafka('README alert consumer', (brokers) => {
  const suite = liveSuite(brokers);

  for (const format of ['json', 'avro'] as const) {
    it.skipIf(format === 'avro' && noRegistry)(`pages every alert of a run once, new / updated / resolved, from ${format} alerts`, async () => {
      const d = await suite.deploy(`consumer-${format}`, { env: format === 'avro' ? { DRIFTWATCH_ALERT_FORMAT: 'avro', SCHEMA_REGISTRY_URL: REGISTRY } : {} });
      if (format === 'avro') await runCli(['schemas', 'register'], d.env);
      // A drift that escalates through every level, and the MTTR breach it causes: both resolve.
      await soloFixtureRun(suite, d, 'slow-recovery.ndjson', async (ref) => {
        expect(ref.alerts.map((a) => `${a.rule} ${a.status} L${a.escalationLevel}`)).toEqual([
          ...['drift_detected firing L1', 'drift_detected firing L2', 'drift_detected firing L3', 'drift_detected firing L4'],
          ...['mttr_breach firing L1', 'drift_detected resolved L4', 'mttr_breach firing L2', 'mttr_breach firing L3'],
          ...['mttr_breach firing L4', 'mttr_breach resolved L4'],
        ]);
        const pages = await runReadmeConsumer(d.topics.alerts, ref.alerts.length, { KAFKA_BROKERS: brokers.join(','), ...(REGISTRY ? { SCHEMA_REGISTRY_URL: REGISTRY } : {}) });
        // Per instance in order (instances are on partitions of their own, so only the multiset is fixed).
        expect(pages.map((p) => `${p.kind} ${alertLine(p.alert)}`).sort()).toEqual(expectedKinds(ref.alerts).sort());
        // alertId is derived from the emission: the live run's are replay's, so a consumer can deduplicate on them.
        expect(pages.map((p) => p.alert.alertId).sort()).toEqual(ref.alerts.map((a) => a.alertId).sort());
        for (const rule of ['drift_detected', 'mttr_breach']) {
          expect(pages.filter((p) => p.alert.rule === rule).map((p) => p.kind)).toEqual(['new', 'updated', 'updated', 'updated', 'resolved']);
        }
        if (format === 'avro') {
          const firing = pages.find((p) => p.alert.status === 'firing')!.alert;
          expect(firing.endsAt).toBeNull();
          expect(firing.annotations.runbookUrl).toBeNull();
        }
      });
    });
  }

  it('pages each instance of the lifecycle edges fixture as its own: new, updated…, resolved', async () => {
    const d = await suite.deploy('consumer-edges');
    // alert-lifecycle-edges.ndjson (hand-checked in test/scenarios/alert-lifecycle-edges.test.ts): among others, three
    // instances of prod/api's drift_detected with one fingerprint, each resolved before the next begins.
    await soloFixtureRun(suite, d, 'alert-lifecycle-edges.ndjson', async (ref) => {
      const pages = await runReadmeConsumer(d.topics.alerts, ref.alerts.length, { KAFKA_BROKERS: brokers.join(',') });
      expect(pages.map((p) => `${p.kind} ${alertLine(p.alert)}`).sort()).toEqual(expectedKinds(ref.alerts).sort());
      const api = pages.filter((p) => p.alert.labels.artifact === 'api');
      expect(api.map((p) => p.kind)).toEqual(['new', 'resolved', 'new', 'resolved', 'new', 'resolved']);
    });
  });
});
