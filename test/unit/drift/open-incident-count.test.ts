/**
 * The incidents-open gauge is set on every live tick from `openIncidents()`,
 * which is a count kept through every change rather than a scan of all keys.
 * These runs drive both processors through a random sequence of facts
 * (opens, updates, resolves by timer and by observation), restores
 * (`restoreKey` with the key's own state, an older state or another key's
 * open one) and drops (`dropKey`), and compare the count with a scan of the
 * keys' snapshots after every step.
 */
import { describe, it, expect } from 'vitest';
import { StateDriftProcessor, type StateDriftKeySnapshot } from '../../../processors/state-drift.js';
import { DeterminismProcessor, type DeterminismKeySnapshot } from '../../../processors/determinism.js';
import type { Fact } from '../../../processors/facts.js';
import type { Processor } from '../../../processors/processor.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { advance, classify, hydration, index, options, promoted, t } from './builders.js';

const ARTIFACTS = ['a', 'b', 'c', 'd', 'e', 'f'];
const keyOf = (artifact: string) => `prod/${artifact}`;

/** What a run did, so a test can say it covered every kind of step. */
interface Coverage {
  maxOpen: number;
  opened: number;
  resolved: number;
  restoredOpen: number;
  droppedOpen: number;
}

function run(
  seed: number,
  steps: number,
  p: {
    handle: (fact: Fact) => Array<{ change: string }>;
    openIncidents: () => number;
    scan: () => number;
    snapshot: (key: string) => unknown;
    restore: (key: string, state: unknown) => void;
    drop: (key: string) => void;
    randomFacts: (random: () => number, at: number, artifact: string) => Fact[];
  },
): Coverage {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const saved: Array<{ key: string; state: unknown }> = [];
  const c: Coverage = { maxOpen: 0, opened: 0, resolved: 0, restoredOpen: 0, droppedOpen: 0 };
  let now = 0;
  for (let i = 0; i < steps; i++) {
    const r = random();
    const key = keyOf(pick(ARTIFACTS));
    const openBefore = p.openIncidents();
    if (r < 0.08) {
      // A restore: the key's own current state (a restart), one saved earlier (possibly open, possibly idle,
      // possibly another key's — a state that is not the key's own replaces whatever it had), or none.
      const from = random() < 0.5 ? { key, state: p.snapshot(key) } : saved.length > 0 ? pick(saved) : undefined;
      if (from?.state !== undefined) p.restore(key, from.state);
      if (p.openIncidents() > openBefore) c.restoredOpen++;
    } else if (r < 0.13) {
      p.drop(key);
      if (p.openIncidents() < openBefore) c.droppedOpen++;
    } else if (r < 0.18) {
      const state = p.snapshot(key);
      if (state !== undefined) saved.push({ key, state: JSON.parse(JSON.stringify(state)) as unknown });
    } else {
      now += Math.floor(random() * 40);
      const facts = random() < 0.1 ? [advance(t(now))] : p.randomFacts(random, t(now), pick(ARTIFACTS));
      for (const fact of facts) {
        for (const out of p.handle(fact)) {
          if (out.change === 'opened') c.opened++;
          if (out.change === 'resolved') c.resolved++;
        }
      }
    }
    expect(p.openIncidents(), `step ${i}`).toBe(p.scan());
    c.maxOpen = Math.max(c.maxOpen, p.openIncidents());
  }
  return c;
}

/** Hands `fact` to `p`: the incident changes it emitted. */
function incidentChanges(p: Processor, fact: Fact): Array<{ change: string }> {
  const out: Fact[] = [];
  p.handle(fact, (f) => out.push(f));
  return out.flatMap((f) => (f.kind === 'incident' ? [{ change: f.change }] : []));
}

describe('open incident count (the incidents-open gauge)', () => {
  it('state drift: equals a scan of the keys after every open, resolve, restoreKey and dropKey of a random run', () => {
    const p = new StateDriftProcessor(options, classify);
    const coverage = run(11, 4000, {
      handle: (fact) => incidentChanges(p, fact),
      openIncidents: () => p.openIncidents(),
      scan: () => p.keyNames().filter((k) => p.snapshotKey(k)?.incident).length,
      snapshot: (key) => p.snapshotKey(key),
      restore: (key, state) => p.restoreKey(key, state as StateDriftKeySnapshot),
      drop: (key) => p.dropKey(key),
      // Promotions of two digests and replicas serving either (or a third): opens, updates and resolves.
      randomFacts: (random, at, artifact) => {
        const digest = ['D1', 'D2', 'DX'][Math.floor(random() * 3)]!;
        if (random() < 0.15) return promoted(at, `p-${at}-${artifact}`, digest === 'DX' ? 'D1' : digest, { artifact });
        return [index(at, { artifact, instance: `r${Math.floor(random() * 3)}`, servedDigest: digest })];
      },
    });
    expect(coverage.opened).toBeGreaterThan(20);
    expect(coverage.resolved).toBeGreaterThan(20);
    expect(coverage.restoredOpen).toBeGreaterThan(5);
    expect(coverage.droppedOpen).toBeGreaterThan(5);
    expect(coverage.maxOpen).toBeGreaterThan(1);
  });

  it('determinism: equals a scan of the rules after every open, resolve, restoreKey and dropKey of a random run', () => {
    const p = new DeterminismProcessor(options, classify);
    const rules = (key: string) => p.snapshotKey(key)?.rules ?? [];
    const coverage = run(23, 4000, {
      handle: (fact) => incidentChanges(p, fact),
      openIncidents: () => p.openIncidents(),
      scan: () => ARTIFACTS.map(keyOf).reduce((n, key) => n + rules(key).filter((r) => r.incident !== null).length, 0),
      snapshot: (key) => p.snapshotKey(key),
      restore: (key, state) => {
        // Rules carry their env and artifact: another key's become this key's (or they would live under two keys).
        const artifact = key.slice('prod/'.length);
        p.restoreKey(key, { rules: (state as DeterminismKeySnapshot).rules.map((r) => ({ ...r, artifact })) });
      },
      drop: (key) => p.dropKey(key),
      // Two rules per key whose input gives one output mostly and another sometimes: conflicts open, calm windows resolve.
      randomFacts: (random, at, artifact) => [
        hydration(at, {
          artifact,
          ruleId: `rule-${Math.floor(random() * 2)}`,
          inputDigest: 'I1',
          outputDigest: random() < 0.03 ? 'O2' : 'O1',
          status: random() < 0.1 ? 'error' : 'ok',
        }),
      ],
    });
    expect(coverage.opened).toBeGreaterThan(20);
    expect(coverage.resolved).toBeGreaterThan(5);
    expect(coverage.restoredOpen).toBeGreaterThan(5);
    expect(coverage.droppedOpen).toBeGreaterThan(5);
    expect(coverage.maxOpen).toBeGreaterThan(1);
  });
});
