/**
 * sql/README.md's first examples ("Reading the tables: use FINAL"), run as an
 * analyst would, on the embedded store after a replay of a generated demo
 * scenario (the last 3 hours, so "over the last day" has rows), and checked
 * against what their comments say they return, computed another way from the
 * same store. The hourly-rollup and audit examples have their own tests
 * (hourly-rollups, late-promotion-audit).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioGenerator } from '../../../engine/demo/scenario-generator.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { replayedStore } from '../../helpers/replayed-store.js';
import { readmeExample } from '../../helpers/readme-example.js';

const HOUR = 3_600_000;

const demo = replayedStore(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'dw-sql-readme-')), 'events.ndjson');
  const startAt = Math.floor((Date.now() - 3 * HOUR) / 60_000) * 60_000;
  writeFileSync(file, [...new ScenarioGenerator({ seed: 3, startAt, spanMs: 2 * HOUR })].map((r) => r.value).join('\n') + '\n');
  return replayFixture(file, { store: true });
});

type Row = Record<string, unknown>;
const byKey = (rows: Row[], ...keys: string[]): Map<string, Row> => new Map(rows.map((r) => [keys.map((k) => String(r[k])).join(' '), r]));

describe('sql/README.md examples on a replayed demo scenario', () => {
  it('"latest state of every open incident": the incidents whose latest version is unresolved', async () => {
    const rows = await demo.store.query<Row>(readmeExample('latest state of every open incident'));
    const all = await demo.store.query<Row>('SELECT incident_id, resolved_at FROM driftwatch.incidents FINAL');
    expect(all.length).toBeGreaterThan(5);
    expect(rows.map((r) => r.incident_id).sort()).toEqual(all.filter((r) => r.resolved_at === null).map((r) => r.incident_id).sort());
  });

  it('"drift per environment over the last day": divergent over all observations of each env', async () => {
    const rows = await demo.store.query<Row>(readmeExample('drift per environment over the last day'));
    expect(rows.map((r) => r.env).sort()).toEqual(['dev', 'prod', 'staging']);
    const raw = byKey(
      await demo.store.query<Row>(
        `SELECT env, sum(divergent_observations) AS d, sum(observations) AS n FROM driftwatch.drift_windows FINAL GROUP BY env`,
      ),
      'env',
    );
    for (const r of rows) {
      const { d, n } = raw.get(String(r.env))! as { d: number; n: number };
      expect(Number(r.divergent_ratio)).toBeCloseTo(d / n, 12);
      expect(Number(r.divergent_ratio)).toBeGreaterThan(0);
    }
  });

  it('"promotion success rate per environment per hour": each promotion once, in the hour of its first end', async () => {
    const rows = await demo.store.query<Row>(readmeExample('promotion success rate per environment per hour'));
    const promotions = await demo.store.query<Row>(
      `SELECT env, promotion_id, toStartOfHour(first_ended_at) AS hour, outcome FROM driftwatch.promotion_outcomes FINAL`,
    );
    expect(new Set(promotions.map((p) => `${p.env} ${p.promotion_id}`)).size).toBe(promotions.length);
    const hours = byKey(rows, 'env', 'hour');
    expect(rows.reduce((n, r) => n + Number(r.promotions_ended), 0)).toBe(promotions.length);
    for (const [key, r] of hours) {
      const mine = promotions.filter((p) => `${p.env} ${p.hour}` === key);
      expect(Number(r.promotions_ended)).toBe(mine.length);
      expect(Number(r.success_rate)).toBeCloseTo(mine.filter((p) => p.outcome === 'succeeded').length / mine.length, 12);
    }
    // Rolled-back successes are in the data and counted as no success.
    expect(promotions.some((p) => p.outcome !== 'succeeded')).toBe(true);
  });

  it('"rolling 7-day MTTR of each env at the latest snapshot": the mean recovery of its resolved state incidents', async () => {
    // The whole scenario lies within 7 days: every resolved state incident is in the window at the latest snapshot.
    const rows = await demo.store.query<Row>(readmeExample('rolling 7-day MTTR of each env at the latest snapshot'));
    const incidents = byKey(
      await demo.store.query<Row>(
        `SELECT env, avg(recovery_ms) AS mean_ms, count() AS n FROM driftwatch.incidents FINAL
         WHERE kind = 'state' AND resolved_at IS NOT NULL GROUP BY env`,
      ),
      'env',
    );
    expect(rows.map((r) => r.env).sort()).toEqual([...incidents.keys()].sort());
    for (const r of rows) {
      const i = incidents.get(String(r.env))!;
      expect(Number(r.resolved)).toBe(Number(i.n));
      expect(Number(r.mttr_minutes)).toBeCloseTo(Math.round((Number(i.mean_ms) / 60_000) * 100) / 100, 2);
    }
  });

  it('"daily detection / recovery trend": incidents opened and resolved per env and day', async () => {
    const rows = await demo.store.query<Row>(readmeExample('daily detection / recovery trend'));
    const incidents = byKey(
      await demo.store.query<Row>(
        `SELECT env, toDate(detected_at) AS day, count() AS opened, countIf(resolved_at IS NOT NULL) AS resolved,
                max(toUnixTimestamp64Milli(detected_at) - toUnixTimestamp64Milli(started_at)) AS worst
         FROM driftwatch.incidents FINAL GROUP BY env, day`,
      ),
      'env',
      'day',
    );
    expect(rows.length).toBe(incidents.size);
    for (const r of rows) {
      const i = incidents.get(`${r.env} ${r.day}`)!;
      expect({ opened: Number(r.opened), resolved: Number(r.resolved), worst: Number(r.worst_detection_ms) }).toEqual({
        opened: Number(i.opened),
        resolved: Number(i.resolved),
        worst: Number(i.worst),
      });
    }
  });
});
