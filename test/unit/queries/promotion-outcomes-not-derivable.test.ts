/**
 * Why migration 0010's promotion_outcomes is not back-filled from the raw
 * history (sql/queries/README.md, "promotion_outcomes has no back-fill"):
 * the same promotion_events rows come from inputs the engine judged
 * differently. Fixture late-success-after-rollback.ndjson, as it is and with
 * its last two lines swapped:
 *   pL started 10:00, rolled back 10:02; pM started 10:03:30; then
 *   as is:    pL succeeded 10:01 (late: the frontier is at 10:02:30, its window open), pM succeeded 10:06:30
 *   swapped:  pM succeeded 10:06:30 (the frontier moves to 10:05:30), pL succeeded 10:01 (late, its window closed)
 * Both store the same rows (the late success with late = 1 in both; only
 * source_line differs), but pL's outcome is `succeeded_then_rolled_back` in
 * the first (its late success, from before its rollback, counted as in
 * order) and `rolled_back` in the second (a late event of a closed window
 * gives no outcome). The frontier a late event met is
 * not stored.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { RowMapper, type StoreRow } from '../../../store/row-mappers.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';

/** The rows the engine stores for `lines`, as a replay feeds them (one line each). */
async function storedRows(lines: string[]): Promise<StoreRow[]> {
  const mapper = new RowMapper();
  const rows: StoreRow[] = [];
  const pipeline = createPipeline({
    processing: defaultProcessingOptions,
    alerts: defaultAlertsConfig(),
    writer: null,
    onFact: (fact) => rows.push(...mapper.rows(fact)),
  });
  lines.forEach((value, i) => pipeline.push({ value, source: { line: i + 1 } }));
  await pipeline.end();
  return rows;
}

const table = (rows: StoreRow[], name: string) => rows.filter((r) => r.table === name).map((r) => r.row);
/** promotion_events as an analyst reads them back: by key, without where in the input they came from. */
const history = (rows: StoreRow[]) =>
  table(rows, 'promotion_events')
    .map(({ source_line: _line, ...row }) => row)
    .sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
/** The latest outcome per promotion (what `FINAL` keeps: the highest version). */
const outcomes = (rows: StoreRow[]) => {
  const latest = new Map<string, Record<string, unknown>>();
  for (const row of table(rows, 'promotion_outcomes')) {
    const seen = latest.get(String(row.promotion_id));
    if (!seen || (row.version as number) > (seen.version as number)) latest.set(String(row.promotion_id), row);
  }
  return Object.fromEntries([...latest].sort().map(([id, row]) => [id, row.outcome]));
};

describe('promotion_outcomes is not derivable from promotion_events', () => {
  it('one stored history, two sets of outcomes: a late event counts or not by the frontier it met', async () => {
    const lines = readFileSync(join(fixturesDir, 'late-success-after-rollback.ndjson'), 'utf8').trim().split('\n');
    const swapped = [...lines.slice(0, 3), lines[4]!, lines[3]!];
    const [asIs, other] = [await storedRows(lines), await storedRows(swapped)];
    expect(history(asIs)).toEqual(history(other));
    expect(history(asIs).filter((r) => r.late === 1).map((r) => r.event_id)).toEqual(['l2']);
    expect(outcomes(asIs)).toEqual({ pL: 'succeeded_then_rolled_back', pM: 'succeeded' });
    expect(outcomes(other)).toEqual({ pL: 'rolled_back', pM: 'succeeded' });
  });
});
