/**
 * The records test/scenarios/reused-event-id.test.ts and nul-in-id-fields.test.ts replay, through
 * `driftwatch run` on the real broker: each dead letter reaches the DLQ
 * topic with its original bytes and replay's reason, the metrics count it by
 * category, the engine's store keeps it, and everything else is processed
 * as replay processes it.
 *
 * - reused-event-id.ndjson: another event under an eventId already processed
 *   (reused_event_id), retries dropped as duplicates. Its hydration under a
 *   promotion's eventId is left out here: the two are on different topics,
 *   and which of two topics a live engine reads first is not defined (the
 *   first read is the one processed), so replay's order says nothing there.
 * - nul-in-id-fields.ndjson: a NUL in a field joined into ids (invalid_event,
 *   naming the field); NUL elsewhere kept.
 */
import { expect, it } from 'vitest';
import { describeKafka, readToEnd } from '../kafka/kafka-env.js';
import { storeIncidents, storeRows } from './engine-process.js';
import { liveSuite } from './live-env.js';
import { alertLines, committedAlerts } from './reference.js';
import { fixtureRecords } from './scenario-records.js';
import { soloFixtureRun } from './solo-fixture-run.js';

describeKafka('live input integrity', (brokers) => {
  const suite = liveSuite(brokers);
  const { kafka } = suite;

  const cases = [
    { name: 'reused-event-id', records: fixtureRecords('reused-event-id.ndjson').filter((r) => r.type !== 'hydration'), deadLetters: 2, category: 'reused_event_id', duplicates: 2 },
    { name: 'nul-in-id-fields', records: fixtureRecords('nul-in-id-fields.ndjson'), deadLetters: 8, category: 'invalid_event', duplicates: 0 },
  ];

  for (const c of cases) {
    it(`${c.name}: dead letters on the DLQ topic, counted and stored with replay's reasons; the rest processed as replay does`, async () => {
      const d = await suite.deploy(`integrity-${c.name}`);
      await soloFixtureRun(suite, d, c.records, async (ref) => {
        expect(ref.dlq).toHaveLength(c.deadLetters);
        const dlq = await readToEnd(kafka, d.topics.dlq);
        expect(dlq.map((r) => [r.value, r.headers['dw-error']]).sort()).toEqual(ref.dlq.map((x) => [x.raw, x.reason]).sort());
        const metrics = await suite.engines[0]!.metrics();
        const counted = [...metrics].filter(([name]) => name.startsWith('driftwatch_dead_lettered_total{') && name.includes(`category="${c.category}"`));
        expect(counted.reduce((n, [, v]) => n + v, 0)).toBe(c.deadLetters);
        expect(metrics.get('driftwatch_duplicate_events_total') ?? 0).toBe(c.duplicates);
        expect(alertLines(await committedAlerts(kafka, d.topics.alerts))).toEqual(alertLines(ref.alerts));
        expect(ref.alerts.length).toBeGreaterThan(0);
        expect((await suite.engines[0]!.terminate()).code).toBe(0);
        expect(await storeIncidents(d.storeDir('solo'))).toEqual(ref.incidents);
        const stored = await storeRows(d.storeDir('solo'), 'SELECT reason FROM driftwatch.dead_letters FINAL ORDER BY reason');
        expect(stored.map((r) => r.reason)).toEqual(ref.dlq.map((x) => x.reason).sort());
      });
    }, 180_000);
  }
});
