/**
 * Every Grafana alert rule of deploy/grafana/provisioning/alerting runs on the
 * embedded engine as Grafana would evaluate it at a fixed instant: its SQL
 * with the plugin's macros expanded for the rule's relativeTimeRange
 * (grafana-macros.ts), over engine_metrics rows built by hand, then its
 * threshold. Each scenario has a day of its own, so the rows of one never
 * fall in another's range.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { metricRow } from '../../../store/row-mappers.js';
import { expandGrafanaSql } from './grafana-macros.js';
import { alertInstances, alertRules, dataQuery, evaluationContext, ruleByUid, type AlertInstance } from './alerting-files.js';

const MIN = 60_000;
/** Evaluation instants, one day each. */
const day = (d: number): Date => new Date(`2026-11-${String(d).padStart(2, '0')}T10:00:00.000Z`);
const at = (d: number, minutesBefore: number): number => day(d).getTime() - minutesBefore * MIN;

type Point = [name: string, labels: Record<string, string>, day: number, minutesBefore: number, value: number];

/** [day, minutes before its 10:00, value] of one counter series, one point a minute. */
const counter = (name: string, labels: Record<string, string>, d: number, values: Array<[number, number]>): Point[] =>
  values.map(([m, v]) => [name, labels, d, m, v]);

/** Minutes `from` down to `to` before the instant (inclusive), with value f(i) for the i-th. */
const everyMinute = (from: number, to: number, f: (i: number) => number): Array<[number, number]> =>
  Array.from({ length: from - to + 1 }, (_, i) => [from - i, f(i)]);

const points: Point[] = [
  // Day 1, engine up: its last point a minute ago.
  ['process_resident_memory_bytes', { instance: 'a' }, 1, 30, 1e8],
  ['consumer_lag', { instance: 'a', topic: 't', partition: '0' }, 1, 1, 0],
  // Day 2, down for 10 minutes.
  ['process_resident_memory_bytes', { instance: 'a' }, 2, 20, 1e8],
  ['process_resident_memory_bytes', { instance: 'a' }, 2, 10, 1e8],
  // Day 3, down for over an hour: nothing in the range at all.
  ['process_resident_memory_bytes', { instance: 'a' }, 3, 120, 1e8],
  // Day 4, last point exactly 5 minutes ago: not yet over the threshold.
  ['process_resident_memory_bytes', { instance: 'a' }, 4, 5, 1e8],

  // Day 5, memory: a grows past 1 GiB, b came down, c wrote its last point 6 minutes ago (outside the 5 minutes).
  ['process_resident_memory_bytes', { instance: 'a' }, 5, 4, 9e8],
  ['process_resident_memory_bytes', { instance: 'a' }, 5, 1, 1.3e9],
  ['process_resident_memory_bytes', { instance: 'b' }, 5, 4, 1.5e9],
  ['process_resident_memory_bytes', { instance: 'b' }, 5, 0.5, 5e8],
  ['process_resident_memory_bytes', { instance: 'c' }, 5, 6, 2e9],

  // Day 6, lag: each partition's latest point — promotion/1 moved from a to b — and a stale one outside the range.
  ['consumer_lag', { instance: 'a', topic: 'promotion', partition: '0' }, 6, 4, 4000],
  ['consumer_lag', { instance: 'a', topic: 'promotion', partition: '0' }, 6, 1, 6000],
  ['consumer_lag', { instance: 'a', topic: 'promotion', partition: '1' }, 6, 2, 5000],
  ['consumer_lag', { instance: 'b', topic: 'promotion', partition: '1' }, 6, 0.5, 3000],
  ['consumer_lag', { instance: 'b', topic: 'index', partition: '0' }, 6, 3, 1500],
  ['consumer_lag', { instance: 'a', topic: 'hydration', partition: '0' }, 6, 10, 90_000],
  // Day 7, lag at exactly the threshold.
  ['consumer_lag', { instance: 'a', topic: 'promotion', partition: '0' }, 7, 1, 10_000],

  // Day 8: 100 records a minute consumed for half an hour; a dead-letter series born 5 minutes ago at 30,
  // then 40, 50, 60, 60, 60. Last 10 minutes (points at 9 … 0 minutes before): 1000 consumed, 30 + 3 × 10 = 60
  // dead-lettered: 6 % > 5 %.
  ...counter('events_in_total', { instance: 'a', topic: 'promotion' }, 8, everyMinute(30, 0, (i) => 1000 + 100 * i)),
  ...counter('dead_lettered_total', { instance: 'a', topic: 'promotion', category: 'invalid_event' }, 8,
    [[5, 30], [4, 40], [3, 50], [2, 60], [1, 60], [0, 60]]),

  // Day 9: an hour of history and a restart 5 minutes ago (same instance id: its counters start again from 0).
  // Consumed in the last 10 minutes: 4 steps of 100 before the restart, 100 at it, 5 × 100 after = 1000.
  // Dead letters: 500 from before (history, not counted) and 8 since the restart: under the minimum of 10.
  ...counter('events_in_total', { instance: 'a', topic: 'index' }, 9, everyMinute(60, 6, (i) => 100 * i)),
  ...counter('events_in_total', { instance: 'a', topic: 'index' }, 9, everyMinute(5, 0, (i) => 100 * (i + 1))),
  ...counter('dead_lettered_total', { instance: 'a', topic: 'index', category: 'invalid_encoding' }, 9, everyMinute(60, 6, () => 500)),
  ...counter('dead_lettered_total', { instance: 'a', topic: 'index', category: 'invalid_encoding' }, 9, [[3, 8], [2, 8], [1, 8], [0, 8]]),

  // Day 10: the same 1000 consumed, 50 dead letters in the window: exactly 5 %, not over.
  ...counter('events_in_total', { instance: 'a', topic: 'promotion' }, 10, everyMinute(30, 0, (i) => 100 * i)),
  ...counter('dead_lettered_total', { instance: 'a', topic: 'promotion', category: 'wrong_key' }, 10, [[9, 20], [8, 50], [0, 50]]),
];

let store: ChdbTransport;

beforeAll(async () => {
  store = await openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'dw-alert-rules-')), 'store'));
  const rows = points.map(([name, labels, d, m, value]) => JSON.stringify(metricRow(name, value, labels, at(d, m))));
  await store.insert('driftwatch.engine_metrics', rows);
});

afterAll(async () => {
  await store?.close();
});

/** The alert instances of rule `uid` evaluated at 10:00 of day `d`. */
async function evaluate(uid: string, d: number): Promise<AlertInstance[]> {
  const rule = ruleByUid(uid);
  const query = dataQuery(rule);
  const rows = await store.query(expandGrafanaSql(query.model.rawSql!, evaluationContext(query, day(d))));
  return alertInstances(rule, rows);
}

describe('Grafana alert rules on engine_metrics', () => {
  it('every rule is exercised below', () => {
    expect(alertRules.map((r) => r.uid).sort()).toEqual(
      ['driftwatch-consumer-lag-high', 'driftwatch-dead-letter-spike', 'driftwatch-engine-down', 'driftwatch-memory-high'],
    );
  });

  describe('engine down (critical): seconds since the last metrics point, over 300', () => {
    it('does not fire while the engine writes points', async () => {
      expect(await evaluate('driftwatch-engine-down', 1)).toEqual([{ labels: {}, value: 60, firing: false }]);
    });
    it('fires when the last point is 10 minutes old', async () => {
      expect(await evaluate('driftwatch-engine-down', 2)).toEqual([{ labels: {}, value: 600, firing: true }]);
    });
    it('fires with the whole hour when the range holds no point', async () => {
      expect(await evaluate('driftwatch-engine-down', 3)).toEqual([{ labels: {}, value: 3600, firing: true }]);
    });
    it('does not fire at exactly 5 minutes', async () => {
      expect(await evaluate('driftwatch-engine-down', 4)).toEqual([{ labels: {}, value: 300, firing: false }]);
    });
  });

  describe('memory high (medium): latest resident bytes per instance, over 1 GiB', () => {
    it('fires for the instance above it, not for one that came down, and forgets one silent for 5 minutes', async () => {
      const instances = await evaluate('driftwatch-memory-high', 5);
      expect(instances.sort((x, y) => x.labels.instance!.localeCompare(y.labels.instance!))).toEqual([
        { labels: { instance: 'a' }, value: 1.3e9, firing: true },
        { labels: { instance: 'b' }, value: 5e8, firing: false },
      ]);
    });
  });

  describe('consumer lag high (medium): latest lag of every partition, summed, over 10 000', () => {
    it('fires at 6000 + 3000 (the moved partition at its new owner) + 1500', async () => {
      expect(await evaluate('driftwatch-consumer-lag-high', 6)).toEqual([{ labels: {}, value: 10_500, firing: true }]);
    });
    it('does not fire at exactly 10 000', async () => {
      expect(await evaluate('driftwatch-consumer-lag-high', 7)).toEqual([{ labels: {}, value: 10_000, firing: false }]);
    });
  });

  describe('dead-letter spike (critical): share of the last 10 minutes\' records dead-lettered, over 5 % with at least 10', () => {
    it('fires at 60 of 1000, a series born in the window counting from 0', async () => {
      expect(await evaluate('driftwatch-dead-letter-spike', 8)).toEqual([{ labels: {}, value: 0.06, firing: true }]);
    });
    it('counts neither the history before the window nor, after a restart, more than the counters did since', async () => {
      expect(await evaluate('driftwatch-dead-letter-spike', 9)).toEqual([{ labels: {}, value: 0, firing: false }]);
    });
    it('does not fire at exactly 5 %', async () => {
      expect(await evaluate('driftwatch-dead-letter-spike', 10)).toEqual([{ labels: {}, value: 0.05, firing: false }]);
    });
  });
});
