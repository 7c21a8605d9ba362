/**
 * The README's minimal alert consumer ("Consuming alerts") under redelivery,
 * without a broker: its js block runs as written, with kafkajs and the
 * schema registry client replaced by stand-ins that hand its eachMessage a
 * fixed list of messages. A consumer group resumes at its last committed
 * offset, so after a restart it gets several events of an instance again,
 * in order: a `firing` after its `resolved`, a lower level after a higher
 * one. Each emission must be paged once (the Kafka test
 * live/readme-alert-consumer.test.ts runs the same block against the engine).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { readmeConsumer } from '../../helpers/readme-consumer.js';
import { T0, alert, iso } from '../store/fixtures.js';

const run = promisify(execFile);
const MIN = 60_000;

/** kafkajs stand-in: the consumer's run hands each message of DELIVERIES_FILE (JSON alerts) to eachMessage, in order. */
const FAKE_KAFKAJS = `
import { readFileSync } from 'node:fs';
export class Kafka {
  consumer() {
    return {
      connect: async () => {}, subscribe: async () => {}, disconnect: async () => {},
      run: async ({ eachMessage }) => {
        for (const [offset, a] of JSON.parse(readFileSync(process.env.DELIVERIES_FILE, 'utf8')).entries()) {
          const message = { offset: String(offset), key: Buffer.from(a.fingerprint), headers: { 'content-type': Buffer.from('application/json') }, value: Buffer.from(JSON.stringify(a)) };
          await eachMessage({ topic: 'driftwatch.alerts.v1', partition: 0, message });
        }
      },
    };
  }
}
`;
const FAKE_REGISTRY = 'export class SchemaRegistry {}\n';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The kinds the README consumer pages the deliveries with, and the ids it pages. */
async function pages(deliveries: AlertEvent[]): Promise<string[]> {
  dir = mkdtempSync(join(tmpdir(), 'dw-readme-consumer-'));
  writeFileSync(join(dir, 'kafkajs.mjs'), FAKE_KAFKAJS);
  writeFileSync(join(dir, 'registry.mjs'), FAKE_REGISTRY);
  const code = readmeConsumer();
  expect(code).toContain("from 'kafkajs'");
  expect(code).toContain("from '@kafkajs/confluent-schema-registry'");
  const file = join(dir, 'consumer.mjs');
  writeFileSync(
    file,
    code.replace("from 'kafkajs'", "from './kafkajs.mjs'").replace("from '@kafkajs/confluent-schema-registry'", "from './registry.mjs'") +
      '\nasync function page(kind, a) { console.log(`${kind} ${a.alertId}`); }\n',
  );
  // Passed through a file: a replay's alerts outgrow what an environment variable may hold.
  writeFileSync(join(dir, 'deliveries.json'), JSON.stringify(deliveries));
  const { stdout } = await run(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: '127.0.0.1:1', DELIVERIES_FILE: join(dir, 'deliveries.json') } });
  return stdout.trim().split('\n').filter((l) => l !== '');
}

const l1 = alert(T0, { alertId: 'alert-l1' });
const l2 = alert(T0 + 5 * MIN, { alertId: 'alert-l2', escalationLevel: 2 });
const resolved = alert(T0 + 7 * MIN, { alertId: 'alert-end', status: 'resolved', escalationLevel: 2, endsAt: new Date(T0 + 7 * MIN).toISOString() });
/** The same fingerprint firing again later: a new instance. */
const again = alert(T0 + 9 * MIN, { alertId: 'alert-again', startsAt: new Date(T0 + 9 * MIN).toISOString() });

it('pages each emission of an instance once when its events are delivered again after a restart', async () => {
  expect(await pages([l1, l2, resolved, l1, l2, resolved, again])).toEqual(['new alert-l1', 'updated alert-l2', 'resolved alert-end', 'new alert-again']);
});

it('does not page again what the engine decided twice, nor a lower level after a higher one', async () => {
  // The engine's rare double emission (README "Duplicates and restarts"): the same emissions, same ids, at later offsets.
  expect(await pages([l1, l2, { ...l1, emittedAt: new Date(T0 + 6 * MIN).toISOString() }, l2])).toEqual(['new alert-l1', 'updated alert-l2']);
});

it('pages as new an instance that began in the millisecond its predecessor of the fingerprint began and ended', async () => {
  // Should an instance end in the millisecond it began and the condition come back in that millisecond, the new
  // instance has the same fingerprint and the same startsAt (README, Lifecycle): what the README calls an instance
  // cannot tell them apart, yet the second is a new alert to page for, not an update of the one just resolved. (On-time
  // events of one key and instant are judged together, so a drift that converges and drifts again within one
  // millisecond no longer does this: test/scenarios/alert-lifecycle-edges.test.ts.)
  const first = alert(T0, { alertId: 'alert-first' });
  const ended = alert(T0, { alertId: 'alert-end', status: 'resolved', endsAt: iso(T0) });
  const next = alert(T0, { alertId: 'alert-next', incidentId: 'inc-2' });
  expect(await pages([first, ended, next, first, ended, next])).toEqual(['new alert-first', 'resolved alert-end', 'new alert-next']);
});
