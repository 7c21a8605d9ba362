/**
 * How processor state survives a restart, a crash or a rebalance in live mode
 * (SPEC §2: state changelogs, Kafka Streams style). Live mode writes state to
 * a compacted changelog topic and restores it into fresh processors, so every
 * snapshot is plain JSON (no Map, Set, undefined in arrays or ±Infinity) and
 * every restore rebuilds the processor's timers: after a restore, time-based
 * behaviour equals the uninterrupted run's.
 *
 * Two shapes:
 * - keyed state lives per input key `<env>/<artifact>` (the Kafka message key
 *   of the co-partitioned inputs) and moves with the key's partition: dirty
 *   keys are written after processing, a revoked partition's keys are dropped
 *   and an assigned partition's keys restored, at any moment between facts;
 * - whole state (per environment or global: windows per env, MTTR, rate
 *   alerts) is not partitioned by key and is snapshotted as one value.
 */

/** State that lives per key (`<env>/<artifact>`) and moves with the key's partition. */
export interface KeyedStateStore {
  /** Keys whose state changed since the last call (then forgets them). */
  drainDirtyKeys(): string[];
  /** JSON-serialisable state of one key, or undefined when the key has none (→ tombstone). */
  snapshotKey(key: string): unknown | undefined;
  restoreKey(key: string, state: unknown): void;
  /** Forget a key (its partition was revoked). */
  dropKey(key: string): void;
}

/** State that is not per key (per environment or global): snapshot whole. */
export interface WholeStateStore {
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** The partitioning key of an (env, artifact) pair, exactly as decode builds `Envelope.key`. */
export function stateKey(env: string, artifact: string): string {
  return `${env}/${artifact}`;
}

export function isKeyedStateStore(value: object): value is KeyedStateStore {
  const v = value as Partial<KeyedStateStore>;
  return typeof v.drainDirtyKeys === 'function' && typeof v.snapshotKey === 'function' && typeof v.restoreKey === 'function' && typeof v.dropKey === 'function';
}

export function isWholeStateStore(value: object): value is WholeStateStore {
  const v = value as Partial<WholeStateStore>;
  return typeof v.snapshot === 'function' && typeof v.restore === 'function';
}

/** An object of one key's state that remembers whether it marked its key dirty since the last drain (see `DirtyKeys.markVia`). */
export interface DirtyHolder {
  dirtyEpoch?: number;
}

/** The set of dirty keys every keyed store keeps; `drain` hands them over in sorted order (stable changelog writes). */
export class DirtyKeys {
  private keys = new Set<string>();
  /** Counts drains: a holder marked in the current epoch needs no second mark. */
  private epoch = 0;

  mark(key: string): void {
    this.keys.add(key);
  }

  /**
   * Marks `key` on behalf of `holder`, an object of that key's state that
   * lives no longer than the key's state: the first change since the last
   * drain adds the key, later ones cost a field compare instead of a set
   * insertion (processors change a key's state on nearly every event).
   */
  markVia(holder: DirtyHolder, key: string): void {
    if (holder.dirtyEpoch === this.epoch) return;
    holder.dirtyEpoch = this.epoch;
    this.keys.add(key);
  }

  forget(key: string): void {
    this.keys.delete(key);
    // A holder of the key that is still alive must mark again: every holder does (an extra mark is harmless).
    this.epoch++;
  }

  drain(): string[] {
    const out = [...this.keys].sort();
    this.keys = new Set();
    this.epoch++;
    return out;
  }
}

/** JSON has no ±Infinity (it writes null): times that may be infinite go through these. */
export function encodeTime(t: number): number | null {
  return Number.isFinite(t) ? t : null;
}

export function decodeTime(t: number | null | undefined, whenMissing: number): number {
  return typeof t === 'number' ? t : whenMissing;
}
