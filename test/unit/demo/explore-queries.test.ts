/** The query lines the demo's summary prints run as printed (on a store of the same schema: a replay's). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exploreQueries } from '../../../engine/demo/demo-summary.js';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { runCli } from '../cli/run-cli.js';

describe('the demo summary’s query lines', () => {
  it('are npx commands, each of whose SQL runs on the store; alerts are counted per instance, as the summary does', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dw-explore-'));
    expect((await runCli(['replay', join(fixturesDir, 'lagging-replica.ndjson'), '--out', out])).code).toBe(0);
    const store = join(out, 'store');
    const lines = exploreQueries(store);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const m = /^npx driftwatch query --data-dir (\S+) "(.+)"$/.exec(line);
      expect(m, line).not.toBeNull();
      const r = await runCli(['query', '--data-dir', m![1]!, '-f', 'jsonl', m![2]!]);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
    }
    // lagging-replica: one drift_detected instance, emitted firing at L1 and L2, then resolved.
    const alerts = await runCli(['query', '--data-dir', store, '-f', 'jsonl', /"(.+)"$/.exec(lines[1]!)![1]!]);
    expect(JSON.parse(alerts.stdout.trim())).toEqual({ rule: 'drift_detected', severity: 'high', alerts: 1, firing_emissions: 2, resolved: 1 });
    // The MTTR line shows snapshots that measured something: after the last resolution the 1 h window empties
    // (resolved_count 0, null means), and the newest snapshots, all empty, used to fill the 12 rows.
    const mttr = await runCli(['query', '--data-dir', store, '-f', 'jsonl', /"(.+)"$/.exec(lines[2]!)![1]!]);
    const rows = mttr.stdout.trim().split('\n').map((l) => JSON.parse(l) as { resolved_count: number; mean_min: number | null });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.resolved_count > 0 && row.mean_min !== null, JSON.stringify(row)).toBe(true);
  });
});
