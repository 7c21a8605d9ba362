/**
 * The per-env share of engine instances that have left the consumer group.
 *
 * Env-level state (open promotion windows, rolling MTTR, the rate rules'
 * samples and the per-env alerts they fire) is each instance's share
 * (README: Known limits) and lives in its changelog record `w/<instanceId>`.
 * An instance that leaves for good — scaled in, or restarted under another
 * DRIFTWATCH_INSTANCE_ID — used to leave that share behind: its open windows
 * never reached the store and a rate alert it fired was never resolved.
 *
 * The member owning partition 0 (where every `w/` record lives) now takes
 * such a share over when it finds that its instance is not in the group: it
 * restores the share into a topology of its own and runs it on as the
 * departed instance would have with no more input — event time only (the
 * adopter's frontier), so windows close and are stored under the departed
 * instance's id, samples leave their windows and their alerts resolve. Its
 * record is rewritten with every commit (so whoever owns partition 0 next
 * goes on from there) and becomes a tombstone once nothing in it can change
 * any more; per-env alerts still firing then (an MTTR breach whose
 * incidents moved away with their keys) are resolved at that moment. If
 * the instance comes back, it finds its record as far as it was taken.
 *
 * An alert of the share whose fingerprint is firing in the adopter itself is
 * neither produced nor stored: the adopter's own instance speaks for it.
 */
import type { Message } from 'kafkajs';
import type { Fact, FactOf } from '../../processors/facts.js';
import { ProcessorChain } from '../../processors/processor-chain.js';
import { buildTopology, type Topology, type TopologyOptions } from '../topology.js';
import { restoreTopology, snapshotTopology } from '../topology-state.js';
import { restoredFrontier, storedFrontier, WHOLE_PREFIX, wholeMessage, type WholeCheckpoint } from './checkpoint.js';

export interface RetiringSharesDeps {
  topology: TopologyOptions;
  /** A fact of a share, for the store, with the departed instance whose rows they are. */
  store: (fact: Fact, instanceId: string) => void;
  /** Whether the adopter's own alerting has this fingerprint firing. */
  firingHere: (fingerprint: string) => boolean;
  /** An alert of a share, for the alert topic. */
  emitAlert: (fact: FactOf<'alert'>) => void;
}

interface Share {
  topology: Topology;
  chain: ProcessorChain;
  advancedTo: number;
  /** Nothing left: its record is tombstoned at the next commit, then the share is forgotten. */
  retired: boolean;
}

export class RetiringShares {
  private readonly shares = new Map<string, Share>();
  /** Something was emitted or a share retired since the last checkpoint: worth a commit even when no input came. */
  private changedSinceCheckpoint = false;

  constructor(private readonly deps: RetiringSharesDeps) {}

  get changed(): boolean {
    return this.changedSinceCheckpoint;
  }

  /** Instance ids of the shares being run on (tests, logs). */
  get instanceIds(): string[] {
    return [...this.shares.keys()];
  }

  /** Takes over a departed instance's whole state and runs it on to `at` (from its own frontier on). */
  adopt(instanceId: string, checkpoint: WholeCheckpoint, at: number): void {
    const topology = buildTopology({ ...this.deps.topology, stateStores: [] });
    restoreTopology(topology, { whole: checkpoint.processors });
    // Its own frontier first: what it decided up to there must not be undone at an earlier time (the adopter's
    // frontier, the lowest of its partitions' committed ones, may be behind).
    const advancedTo = restoredFrontier(checkpoint.frontier);
    const share: Share = { topology, chain: new ProcessorChain(topology.processors, (fact) => this.deliver(instanceId, fact)), advancedTo, retired: false };
    this.shares.set(instanceId, share);
    this.advanceShare(share, at);
  }

  /** Event time has reached `at` in the adopter (its frontier); non-finite values are ignored. */
  advanceTo(at: number): void {
    for (const share of this.shares.values()) this.advanceShare(share, at);
  }

  /**
   * The changelog records for the next commit: each share's state as far as
   * it has been run, or a tombstone for one that has retired (forgotten
   * from here on: the commit carries its last word).
   */
  checkpointMessages(): Array<Message & { partition: number }> {
    const out: Array<Message & { partition: number }> = [];
    this.changedSinceCheckpoint = false;
    for (const [instanceId, share] of this.shares) {
      if (share.retired) {
        out.push({ key: WHOLE_PREFIX + instanceId, partition: 0, value: null });
        this.shares.delete(instanceId);
      } else {
        out.push(wholeMessage(instanceId, { processors: snapshotTopology(share.topology).whole, watermarks: [], frontier: storedFrontier(share.advancedTo) }));
      }
    }
    return out;
  }

  private advanceShare(share: Share, at: number): void {
    if (share.retired || !Number.isFinite(at) || at <= share.advancedTo) return;
    share.advancedTo = at;
    share.chain.push({ kind: 'advance', at });
    if (!nothingPending(share.topology)) return;
    // What time could still change has changed; per-env alerts still firing have no judge left (an MTTR breach
    // by an open incident: the incident went on with its key). Resolve them, emitted through one more advance.
    share.topology.alerting.resolveWholeInstances(at);
    share.chain.push({ kind: 'advance', at });
    share.retired = true;
    this.changedSinceCheckpoint = true;
  }

  private deliver(instanceId: string, fact: Fact): void {
    if (fact.kind !== 'advance') this.changedSinceCheckpoint = true;
    if (fact.kind === 'alert') {
      if (this.deps.firingHere(fact.alert.fingerprint)) return;
      this.deps.emitAlert(fact);
    }
    this.deps.store(fact, instanceId);
  }
}

/** No open window, no rule sample in a rolling window and no MTTR departure to come: only events could change the share. */
function nothingPending(topology: Topology): boolean {
  return topology.promotionWindows.openWindows === 0 && topology.alerting.wholeRulesEmpty && topology.mttr.nextDepartureAt === Infinity;
}
