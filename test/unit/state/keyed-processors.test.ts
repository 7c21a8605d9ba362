import { describe, it, expect } from 'vitest';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { StateDriftProcessor } from '../../../processors/state-drift.js';
import { DeterminismProcessor } from '../../../processors/determinism.js';
import { DriftWindowsProcessor } from '../../../processors/drift-windows.js';
import type { Fact } from '../../../processors/facts.js';
import type { Processor } from '../../../processors/processor.js';
import type { KeyedStateStore } from '../../../processors/stateful.js';
import { classify, MIN, T0 } from '../drift/builders.js';
import { syntheticScenario } from './scenario.js';
import { cuts, expectChangelogInSync, factsOf, inputOf, roundTrip, run, runWithRestart } from './harness.js';

const facts = factsOf(syntheticScenario());
type Keyed = Processor & KeyedStateStore;

const processors: Array<[string, () => Keyed]> = [
  ['state-drift', () => new StateDriftProcessor(defaultProcessingOptions, classify)],
  ['determinism', () => new DeterminismProcessor(defaultProcessingOptions, classify)],
  ['drift-windows', () => new DriftWindowsProcessor(defaultProcessingOptions)],
];

/** The key a derived fact is about, for comparing per key. */
function keyOf(f: Fact): string | undefined {
  if (f.kind === 'incident') return `${f.incident.env}/${f.incident.artifact}`;
  if (f.kind === 'observation') return f.observation.key;
  if (f.kind === 'drift-window') return `${f.row.env}/${f.row.artifact}`;
  return undefined;
}

/** Index of the first fact at or after `at` (a cut in the middle of the busy part). */
const cutAt = (input: Fact[], at: number) => input.findIndex((f) => f.at >= at);

describe.each(processors)('%s keyed state', (name, make) => {
  const input = inputOf(name, facts);
  const whole = run(make(), input);

  it('restarting from the changelog at any point yields the uninterrupted output', () => {
    for (const cut of cuts(input.length, 37)) expect(runWithRestart(make, input, cut), `cut ${cut}`).toEqual(whole);
  });

  it('also when the changelog is written only at the cut (dirty keys accumulate)', () => {
    for (const cut of cuts(input.length, 101)) expect(runWithRestart(make, input, cut, Number.MAX_SAFE_INTEGER), `cut ${cut}`).toEqual(whole);
  });

  it('marks exactly the keys it changes: the changelog always equals the current state of every key', () => {
    expect(expectChangelogInSync(make(), input)).toBeGreaterThan(input.length / 2);
  });

  it('reports dirty keys once, and tombstones (undefined) for keys whose state is gone', () => {
    const p = make();
    run(p, input);
    expect(p.drainDirtyKeys()).not.toHaveLength(0);
    expect(p.drainDirtyKeys()).toEqual([]);
    // After end of input (+Infinity) every window and timer has fired.
    if (name !== 'state-drift') for (const key of ['prod/catalog', 'prod/search', 'staging/web']) expect(p.snapshotKey(key)).toBeUndefined();
  });

  it('a dropped key is forgotten with its timers; restored, it carries on as if never dropped', () => {
    const cut = cutAt(input, T0 + 17 * MIN + 1);
    const key = 'prod/catalog';
    const p = make();
    const out = run(p, input.slice(0, cut));
    const saved = roundTrip(p.snapshotKey(key));
    expect(saved).toBeDefined();
    p.dropKey(key);
    expect(p.snapshotKey(key)).toBeUndefined();
    p.restoreKey(key, saved);
    expect(p.snapshotKey(key)).toEqual(saved);
    out.push(...run(p, input.slice(cut)));
    expect(out).toEqual(whole);

    // Without the restore nothing more is derived for the key until its next input: no timer survived the drop.
    const q = make();
    run(q, input.slice(0, cut));
    q.dropKey(key);
    const nextEvent = input.findIndex((f, i) => i >= cut && f.kind === 'event' && f.envelope.key === key);
    const derived = run(q, input.slice(cut, nextEvent)).filter((f) => keyOf(f) === key);
    expect(derived).toEqual([]);
  });

  it('a key handed over mid-stream to an instance that runs other keys yields the same per-key output', () => {
    // Member A owns prod/catalog until the cut; member B owns every other key and takes prod/catalog over at the cut.
    // Facts about no key (advance, …) reach both members, like the frontier does.
    const moved = 'prod/catalog';
    const ownerKey = (f: Fact) => (f.kind === 'event' || f.kind === 'late' ? f.envelope.key : f.kind === 'observation' ? f.observation.key : undefined);
    const cut = cutAt(input, T0 + 17 * MIN + 1);
    const a = make();
    const b = make();
    const out: Fact[] = [];
    input.forEach((f, i) => {
      if (i === cut) {
        b.restoreKey(moved, roundTrip(a.snapshotKey(moved)));
        a.dropKey(moved);
      }
      const k = ownerKey(f);
      if (i < cut && (k === moved || k === undefined)) a.handle(f, (d) => out.push(d));
      if (k !== moved || i >= cut) b.handle(f, (d) => out.push(d));
    });
    const ofMoved = (fs: Fact[]) => fs.filter((f) => keyOf(f) === moved);
    expect(ofMoved(whole).length).toBeGreaterThan(0);
    expect(ofMoved(out)).toEqual(ofMoved(whole));
  });
});

describe('state-drift timers after restore', () => {
  it('re-arms the pending grace end: prod/search drifts at 10:10 even when restarted at 9:30', () => {
    const input = inputOf('state-drift', facts);
    const cut = cutAt(input, T0 + 9 * MIN + 30_000);
    const out = runWithRestart(() => new StateDriftProcessor(defaultProcessingOptions, classify), input, cut);
    const opened = out.find((f) => f.kind === 'incident' && f.incident.artifact === 'search');
    // ps-2 succeeded at 8:10, grace 2 min; r2 still serves S1 → divergent exactly at 10:10, a timer (no event then).
    expect(opened && opened.at - T0).toBe(10 * MIN + 10_000);
  });
});
