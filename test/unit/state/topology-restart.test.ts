import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fixturesDir } from '../../helpers/replay-fixture.js';
import { IncidentBook } from '../../../engine/incident-book.js';
import { dropTopologyKeys, restoreTopology, snapshotTopology } from '../../../engine/topology-state.js';
import type { Topology } from '../../../engine/topology.js';
import type { Fact } from '../../../processors/facts.js';
import { MIN, T0 } from '../drift/builders.js';
import { syntheticScenario } from './scenario.js';
import { alertIds, chain, cuts, factsOf, keysOf, roundTrip, topology, TopologyChangelog } from './harness.js';

function runAll(t: Topology, facts: readonly Fact[], out: Fact[], after?: () => void): void {
  for (const f of facts) {
    chain(t.processors, f, (d) => out.push(d));
    after?.();
  }
}

/**
 * A restart at each of `cutsAt`: one run over every fact, writing the changelog after each; at a cut, a fresh topology
 * is restored from the changelog as it stands and runs the rest. `check` gets each cut and everything the run emitted
 * before it plus what the restored topology emitted after it — what a run interrupted at that cut emits, since what
 * happens before a cut does not depend on what comes after it: the run up to each cut is shared, not repeated.
 */
function runWithRestarts(facts: readonly Fact[], cutsAt: readonly number[], check: (cut: number, out: Fact[]) => void): void {
  const wanted = new Set(cutsAt);
  const ids = alertIds();
  let issued = 0;
  const out: Fact[] = [];
  const changelog = new TopologyChangelog();
  const before = topology(() => (issued++, ids()));
  for (let cut = 0; cut <= facts.length; cut++) {
    if (wanted.has(cut)) {
      const after = topology(alertIds(issued));
      changelog.restoreInto(after);
      const restarted = [...out];
      runAll(after, facts.slice(cut), restarted);
      check(cut, restarted);
    }
    if (cut === facts.length) break;
    runAll(before, [facts[cut]!], out, () => changelog.write(before));
  }
}

const incidentsOf = (out: Fact[]) => {
  const book = new IncidentBook();
  for (const f of out) book.observe(f);
  return book.records();
};
const alertsOf = (out: Fact[]) => out.flatMap((f) => (f.kind === 'alert' ? [f.alert] : []));

const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.ndjson')).sort();

describe('topology restart from the changelog', () => {
  it.each(fixtures)('%s: a restart between any two facts yields identical incidents, alerts and facts', (fixture) => {
    const facts = factsOf(readFileSync(join(fixturesDir, fixture), 'utf8').split('\n'));
    const whole: Fact[] = [];
    runAll(topology(), facts, whole);
    // Not a vacuous comparison: alerts, or (failed-canary-rolled-back, which has none) promotion windows whose counts
    // depend on keyed state (the failure remembered until its rollback) that a restart must carry.
    expect(alertsOf(whole).length + whole.filter((f) => f.kind === 'promotion-window').length).toBeGreaterThan(0);
    const [incidents, alerts] = [incidentsOf(whole), alertsOf(whole)];
    const everyCut = Array.from({ length: facts.length + 1 }, (_, cut) => cut);
    runWithRestarts(facts, everyCut, (cut, out) => {
      // Equal facts make equal incidents and alerts: those two comparisons only explain a difference, so they (and
      // toEqual's slower walk) run when the cheap strict comparison finds one — toEqual decides, as before.
      if (isDeepStrictEqual(out, whole)) return;
      expect(incidentsOf(out), `${fixture} cut ${cut}`).toEqual(incidents);
      expect(alertsOf(out), `${fixture} cut ${cut}`).toEqual(alerts);
      expect(out, `${fixture} cut ${cut}`).toEqual(whole);
    });
  });

  it('the synthetic scenario: restarts all along, including mid-incident with timers pending', () => {
    const facts = factsOf(syntheticScenario());
    const whole: Fact[] = [];
    runAll(topology(), facts, whole);
    expect(incidentsOf(whole)).toHaveLength(5); // state: prod/catalog, prod/search, staging/web ×2; determinism: prod/catalog
    const middle = facts.findIndex((f) => f.at >= T0 + 32 * MIN);
    runWithRestarts(facts, [...cuts(facts.length, 97), middle], (cut, out) => expect(out, `cut ${cut}`).toEqual(whole));
  });

  it('snapshotTopology: one record per dirty key with every processor holding state for it, and the whole state', () => {
    const facts = factsOf(syntheticScenario());
    const t = topology();
    runAll(t, facts.slice(0, facts.findIndex((f) => f.at >= T0 + 32 * MIN)), []);
    const snap = roundTrip(snapshotTopology(t));
    expect(snap.keyed.map(([k]) => k)).toEqual(keysOf(facts)); // every key was touched, in key order
    const catalog = new Map(snap.keyed).get('prod/catalog');
    // At 32 min prod/catalog has an open incident (in state-drift, and in mttr with its breach timer) and alert, open
    // drift and determinism windows, and its promotion's counted success (a later rollback would take it back).
    expect(Object.keys(catalog ?? {}).sort()).toEqual(['alerting', 'determinism', 'drift-windows', 'mttr', 'promotion-windows', 'state-drift']);
    expect(catalog?.['promotion-windows']).toEqual({ startedAt: [], succeededAt: [[expect.stringMatching(/^prod\u0000/), expect.any(Number)]], failedAt: [], rolledBackAt: [], endedByRollback: [] });
    expect(catalog?.mttr).toEqual({ open: [[expect.stringMatching(/^inc-/), { env: 'prod', startedAt: T0 + 5 * MIN + 1 }]], breaches: [[expect.stringMatching(/^inc-/), T0 + 35 * MIN + 2]] }); // the first ms the incident is open longer than 30 min
    expect(Object.keys(snap.whole).sort()).toEqual(['alerting', 'drift-windows', 'mttr', 'promotion-windows']); // drift-windows: the env rollups it closed lately
    expect(snapshotTopology(t).keyed).toEqual([]); // drained
    expect(snapshotTopology(t, ['prod/catalog']).keyed.map(([k]) => k)).toEqual(['prod/catalog']); // asked for explicitly
  });

  it('dropTopologyKeys forgets revoked keys; restoreTopology brings them back', () => {
    const facts = factsOf(syntheticScenario());
    const whole: Fact[] = [];
    runAll(topology(), facts, whole);
    const cut = facts.findIndex((f) => f.at >= T0 + 32 * MIN);
    const ids = alertIds();
    const t = topology(ids);
    const out: Fact[] = [];
    runAll(t, facts.slice(0, cut), out);
    const keys = keysOf(facts);
    const saved = roundTrip(snapshotTopology(t, keys));
    dropTopologyKeys(t, keys);
    expect(snapshotTopology(t, keys).keyed.every(([, record]) => record === undefined)).toBe(true);
    restoreTopology(t, { keyed: saved.keyed });
    runAll(t, facts.slice(cut), out);
    expect(out).toEqual(whole);
  });

  it('rejects a changelog value that is not a record of processor states', () => {
    expect(() => restoreTopology(topology(), { keyed: [['prod/x', 'oops' as never]] })).toThrow(/changelog key prod\/x/);
  });
});
