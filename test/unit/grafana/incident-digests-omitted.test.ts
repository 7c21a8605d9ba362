/**
 * An incident names at most 64 divergent digests (or conflicting outputs) and
 * counts the rest in incidents.divergent_digests_omitted (migration 0017). The
 * incident lists showed divergent_digests alone: a flapping deployment's
 * incident read as 64 digests with no sign there were more. They now show the
 * count next to the list (more_digests, more_outputs), blank when the
 * incident names them all. On a store of its own, with incident rows written
 * by the engine's row mapper.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { RowMapper, type Row } from '../../../store/row-mappers.js';
import type { Incident } from '../../../processors/facts.js';
import { runPanel } from './panel-runner.js';

const digests = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `sha256:${prefix}${String(i).padStart(3, '0')}`);

const incidents: Incident[] = [
  // A flapping deployment: 500 digests seen, 64 named.
  { incidentId: 'inc-flap', kind: 'state', env: 'prod', artifact: 'pay', severity: 'high', startedAt: Date.parse('2026-11-27T10:00:00.000Z'), detectedAt: Date.parse('2026-11-27T10:00:00.000Z'), resolvedAt: null, expectedDigest: 'sha256:good', divergentDigests: digests(64, 'f'), divergentDigestsOmitted: 436 },
  // Below the bound: every digest named, nothing counted (the row mapper leaves the column at its default, 0).
  { incidentId: 'inc-few', kind: 'state', env: 'prod', artifact: 'web', severity: 'high', startedAt: Date.parse('2026-11-27T10:05:00.000Z'), detectedAt: Date.parse('2026-11-27T10:05:00.000Z'), resolvedAt: null, expectedDigest: 'sha256:good', divergentDigests: digests(2, 'w') },
  // A rule writing a new output per run: 160 outputs, 64 named.
  { incidentId: 'inc-rule', kind: 'determinism', env: 'dev', artifact: 'cfg', severity: 'high', startedAt: Date.parse('2026-11-27T10:10:00.000Z'), detectedAt: Date.parse('2026-11-27T10:10:00.000Z'), resolvedAt: null, ruleId: 'r-merge', inputDigest: 'sha256:in', divergentDigests: digests(64, 'o'), divergentDigestsOmitted: 96 },
];

let store: ChdbTransport;

beforeAll(async () => {
  store = await openEmbeddedStore(join(mkdtempSync(join(tmpdir(), 'dw-digests-omitted-')), 'store'));
  const mapper = new RowMapper();
  const rows: string[] = [];
  for (const incident of incidents) mapper.map({ kind: 'incident', at: incident.startedAt, change: 'opened', incident }, (_table, row: Row) => rows.push(JSON.stringify(row)));
  await store.insert('driftwatch.incidents', rows);
});

afterAll(async () => {
  await store?.close();
});

const from = new Date('2026-11-27T09:00:00.000Z');
const to = new Date('2026-11-27T12:00:00.000Z');

describe('incident lists: the digests an incident counted but does not name', () => {
  it('drift: Incidents (resolution tracking) shows how many more digests each incident saw, blank when it names them all', async () => {
    const rows = await runPanel(store, 'driftwatch-drift', 'Incidents (resolution tracking)', 'All', to, undefined, from);
    expect(rows.map((r) => [r.artifact, (r.divergent_digests as string[]).length, r.more_digests])).toEqual([
      ['cfg', 64, 96],
      ['web', 2, null],
      ['pay', 64, 436],
    ]);
  });

  it('hydration: Nondeterministic rules shows how many more outputs the input gave', async () => {
    const rows = await runPanel(store, 'driftwatch-hydration', 'Nondeterministic rules', 'All', to, undefined, from);
    expect(rows.map((r) => [r.rule_id, (r.outputs as string[]).length, r.more_outputs])).toEqual([['r-merge', 64, 96]]);
  });
});
