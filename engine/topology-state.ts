/**
 * Snapshot and restore of a whole topology's processor state, for live mode's
 * changelog (Kafka Streams style): after processing a batch the runner calls
 * `snapshotTopology` and writes
 *   - one message per dirty key `<env>/<artifact>` (on the key's partition):
 *     the state of every keyed processor by processor name, or a tombstone
 *     when no processor holds anything for the key any more;
 *   - the whole (per-env / global) state by processor name.
 * On start-up or assignment it calls `restoreTopology` with the latest value
 * of each key of the owned partitions and the instance's whole state, between
 * facts, before the first new fact; on revocation `dropTopologyKeys`.
 *
 * Processors take part by implementing KeyedStateStore and/or WholeStateStore
 * (processors/stateful.ts); the others (the audit trail) hold no state. Keyed
 * state kept outside the chain (`topology.stateStores`: the recent eventIds
 * of live mode's dedup) goes into the same per-key records.
 */
import { ValidationError } from '../lib/errors.js';
import { isKeyedStateStore, isWholeStateStore, type KeyedStateStore, type WholeStateStore } from '../processors/stateful.js';
import type { Processor } from '../processors/processor.js';
import type { Topology } from './topology.js';

/** State of one key by processor name; undefined when the key has no state left (→ tombstone). */
export type KeyStateRecord = Record<string, unknown>;

export interface TopologySnapshot {
  keyed: Array<[key: string, state: KeyStateRecord | undefined]>;
  whole: Record<string, unknown>;
}

/** What `restoreTopology` accepts: changelog values as read (null or undefined = tombstone). */
export interface TopologyRestore {
  keyed?: Iterable<readonly [string, KeyStateRecord | null | undefined]>;
  whole?: Record<string, unknown>;
}

type Named<T> = T & Pick<Processor, 'name'>;

function keyedStores(topology: Topology): Array<Named<KeyedStateStore>> {
  return [...topology.processors.filter((p): p is Processor & KeyedStateStore => isKeyedStateStore(p)), ...topology.stateStores];
}

function wholeStores(topology: Topology): Array<Named<WholeStateStore>> {
  return topology.processors.filter((p): p is Processor & WholeStateStore => isWholeStateStore(p));
}

/**
 * Drains the dirty keys of every keyed processor and snapshots them (plus
 * `keys`, e.g. every key of a partition being handed over), in key order, and
 * snapshots the whole state. Each key appears once, with every processor's
 * state for it, so one changelog message carries the key's complete state.
 */
export function snapshotTopology(topology: Topology, keys: Iterable<string> = []): TopologySnapshot {
  const stores = keyedStores(topology);
  const wanted = new Set(keys);
  for (const store of stores) for (const key of store.drainDirtyKeys()) wanted.add(key);
  const keyed: TopologySnapshot['keyed'] = [...wanted].sort().map((key) => {
    const record: KeyStateRecord = {};
    for (const store of stores) {
      const state = store.snapshotKey(key);
      if (state !== undefined) record[store.name] = state;
    }
    return [key, Object.keys(record).length > 0 ? record : undefined];
  });
  const whole: Record<string, unknown> = {};
  for (const store of wholeStores(topology)) whole[store.name] = store.snapshot();
  return { keyed, whole };
}

/**
 * Restores keys and whole state. A key's record replaces that key's state in
 * every keyed processor (a processor missing from the record, or a tombstone,
 * leaves the key empty there); whole state is restored for the processors
 * named in `whole`. Restored timers fire with the next fact, as they would have.
 */
export function restoreTopology(topology: Topology, snap: TopologyRestore): void {
  const stores = keyedStores(topology);
  for (const [key, record] of snap.keyed ?? []) {
    if (record != null && (typeof record !== 'object' || Array.isArray(record))) {
      throw new ValidationError(`changelog key ${key}`, 'expected an object of processor states or a tombstone');
    }
    for (const store of stores) {
      const state = record?.[store.name];
      if (state === undefined || state === null) store.dropKey(key);
      else store.restoreKey(key, state);
    }
  }
  for (const store of wholeStores(topology)) {
    const state = snap.whole?.[store.name];
    if (state !== undefined && state !== null) store.restore(state);
  }
}

/** Forgets keys in every keyed processor (their partitions were revoked). Snapshot dirty keys first. */
export function dropTopologyKeys(topology: Topology, keys: Iterable<string>): void {
  const stores = keyedStores(topology);
  for (const key of keys) for (const store of stores) store.dropKey(key);
}
