/**
 * Restart harness for the state tests: input facts the way the engine makes
 * them (decode → dedup → event-time order), each processor's input stream
 * (what the chain in front of it passes on), and a run that is interrupted at
 * a cut, written to a changelog, and continued in a fresh instance.
 */
import { expect } from 'vitest';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { buildTopology, type Topology } from '../../../engine/topology.js';
import { restoreTopology, snapshotTopology, type KeyStateRecord } from '../../../engine/topology-state.js';
import { decodeJsonRecord } from '../../../processors/decode.js';
import { EventDeduplicator } from '../../../processors/dedup.js';
import { EventTimeOrderer } from '../../../processors/event-time.js';
import type { Fact } from '../../../processors/facts.js';
import type { Processor } from '../../../processors/processor.js';
import { isKeyedStateStore, isWholeStateStore, type KeyedStateStore } from '../../../processors/stateful.js';

/** A fixed wall clock for alert `emittedAt`. */
export const WALL = Date.parse('2030-01-01T00:00:00.000Z');

/**
 * Sequential alert ids; one generator per logical run, shared by the instances before and after a restart.
 * `issued`: ids the run gave out already (an instance restarted from a point of a run that went on past it).
 */
export function alertIds(issued = 0): () => string {
  let n = issued;
  return () => `alert-${++n}`;
}

/** A topology with deterministic alert ids and emittedAt. */
export function topology(newAlertId: () => string = alertIds()): Topology {
  return buildTopology({ processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), alerting: { now: () => WALL, newAlertId } });
}

/** NDJSON lines → the facts the event-time operator releases (dead letters and duplicates dropped), ending with +Infinity. */
export function factsOf(lines: readonly string[]): Fact[] {
  const dedup = new EventDeduplicator(defaultProcessingOptions);
  const orderer = new EventTimeOrderer({ allowedLatenessMs: defaultProcessingOptions.allowedLatenessMs });
  const facts: Fact[] = [];
  const out = (f: Fact) => facts.push(f);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const decoded = decodeJsonRecord(line, { line: i + 1 });
    if (!decoded.ok || dedup.isDuplicate(decoded.envelope)) return;
    orderer.push(decoded.envelope, out);
    orderer.flush(out);
  });
  orderer.finish(out);
  return facts;
}

/** Runs one fact through processors[from..] like the RxJS chain: derived facts first, then the fact itself. */
export function chain(processors: readonly Processor[], fact: Fact, out: (f: Fact) => void, from = 0): void {
  if (from === processors.length) {
    out(fact);
    return;
  }
  processors[from]!.handle(fact, (d) => chain(processors, d, out, from + 1));
  chain(processors, fact, out, from + 1);
}

/** What the processor named `name` receives when `facts` enter a fresh topology. */
export function inputOf(name: string, facts: readonly Fact[]): Fact[] {
  const all = topology().processors;
  const before = all.slice(0, all.findIndex((p) => p.name === name));
  const out: Fact[] = [];
  for (const f of facts) chain(before, f, (d) => out.push(d));
  return out;
}

export function run(processor: Processor, facts: readonly Fact[]): Fact[] {
  const out: Fact[] = [];
  for (const f of facts) processor.handle(f, (d) => out.push(d));
  return out;
}

/** Snapshots must be plain JSON: a JSON round trip gives back an equal value (no Map, Set, ±Infinity, NaN). */
export function roundTrip<T>(value: T): T {
  const back = JSON.parse(JSON.stringify(value)) as T;
  expect(back).toEqual(value);
  return back;
}

/** A compacted changelog: latest JSON value per key, tombstones delete. */
export class Changelog {
  readonly keys = new Map<string, string>();
  whole: string | undefined;

  /** What live mode does after processing: write every dirty key, and the whole state. `check`: assert it is plain JSON. */
  flush(p: Processor, check = false): void {
    const json = (v: unknown) => JSON.stringify(check ? roundTrip(v) : v);
    if (isKeyedStateStore(p)) {
      for (const key of p.drainDirtyKeys()) {
        const state = p.snapshotKey(key);
        if (state === undefined) this.keys.delete(key);
        else this.keys.set(key, json(state));
      }
    }
    if (isWholeStateStore(p)) this.whole = json(p.snapshot());
  }

  restoreInto(p: Processor): void {
    if (isKeyedStateStore(p)) for (const [key, json] of this.keys) p.restoreKey(key, JSON.parse(json));
    if (isWholeStateStore(p) && this.whole !== undefined) p.restore(JSON.parse(this.whole));
  }
}

/**
 * Runs facts[0, cut) on one instance (writing the changelog every `flushEvery`
 * facts and at the cut), restores a fresh instance from the changelog and runs
 * the rest on it. Returns everything both emitted.
 */
export function runWithRestart(make: () => Processor, facts: readonly Fact[], cut: number, flushEvery = 1): Fact[] {
  const changelog = new Changelog();
  const before = make();
  const out: Fact[] = [];
  facts.slice(0, cut).forEach((f, i) => {
    before.handle(f, (d) => out.push(d));
    if ((i + 1) % flushEvery === 0) changelog.flush(before);
  });
  changelog.flush(before, true);
  const after = make();
  changelog.restoreInto(after);
  for (const f of facts.slice(cut)) after.handle(f, (d) => out.push(d));
  return out;
}

/** Every input key of `facts`. */
export function keysOf(facts: readonly Fact[]): string[] {
  const keys = new Set<string>();
  for (const f of facts) if (f.kind === 'event' || f.kind === 'late') keys.add(f.envelope.key);
  return [...keys].sort();
}

/**
 * Dirty tracking is right when, after every fact and a flush of the dirty
 * keys, the changelog holds exactly the current state of every key (nothing
 * stale, no missing tombstone). Returns how many facts left some key with state.
 */
export function expectChangelogInSync(p: Processor & KeyedStateStore, facts: readonly Fact[]): number {
  const changelog = new Changelog();
  const keys = keysOf(facts);
  let withState = 0;
  facts.forEach((f, i) => {
    p.handle(f, () => {});
    changelog.flush(p);
    const current = new Map<string, string>();
    for (const key of keys) {
      const state = p.snapshotKey(key);
      if (state !== undefined) current.set(key, JSON.stringify(state));
    }
    expect(changelog.keys, `after fact ${i} (${f.kind} at ${f.at})`).toEqual(current);
    if (current.size > 0) withState++;
  });
  return withState;
}

/** Cut points: every `stride`-th index, plus the ends. */
export function cuts(length: number, stride: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= length; i += stride) out.push(i);
  if (out[out.length - 1] !== length) out.push(length);
  return out;
}

/** The compacted changelog live mode keeps: latest record per key (tombstones delete) and the latest whole state. */
export class TopologyChangelog {
  readonly keys = new Map<string, string>();
  whole = '{}';

  /** A commit: the dirty keys (and `keys`, e.g. every key) and the whole state. */
  write(t: Topology, keys: Iterable<string> = []): void {
    const snap = snapshotTopology(t, keys);
    for (const [key, record] of snap.keyed) {
      if (record === undefined) this.keys.delete(key);
      else this.keys.set(key, JSON.stringify(record));
    }
    this.whole = JSON.stringify(snap.whole);
  }

  restoreInto(t: Topology): void {
    restoreTopology(t, { keyed: [...this.keys].map(([k, json]) => [k, JSON.parse(json) as KeyStateRecord]), whole: JSON.parse(this.whole) as Record<string, unknown> });
  }
}
