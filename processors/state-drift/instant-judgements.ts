/**
 * The keys an instant's events left to judge (StateDriftProcessor.judge): a
 * key is judged once per instant, after the last event of it, so no state
 * that holds between two events of one instant — at no instant at all —
 * opens, resolves or splits an incident. Each key keeps the last trigger of
 * the instant and the release position of its first event there, and the
 * keys are judged in that order: the order in which judging each event at
 * once judged them, and the same for a key restored mid-instant from its
 * snapshot (`judgeAt`) as for the run that never stopped.
 */
import { releaseOrder } from '../event-time.js';
import type { Envelope } from '../facts.js';
import type { Trigger } from './key-state.js';

/** A key's pending judgement as its snapshot carries it (StateDriftKeySnapshot.judgeAt). */
export interface InstantJudgement {
  at: number;
  trigger: Trigger;
  /** The release position of the key's first event of the instant (event-time.ts `releaseOrder`). */
  order: string;
}

export class InstantJudgements {
  private readonly pending = new Map<string, { trigger: Trigger; order: string }>();
  private at = Number.NEGATIVE_INFINITY;

  get size(): number {
    return this.pending.size;
  }

  /** The instant whose judgements wait (meaningful while `size` > 0). */
  get instant(): number {
    return this.at;
  }

  /**
   * Adds `key` to the keys judged at `at`, or gives it this later trigger. The last trigger names what ended a drift
   * (the resolution's reason): promotions come first in an instant, and an observation is a trigger only when it can
   * still change the judgement after them, so a promotion that made no divergent digest acceptable leaves the
   * resolution to the observation that did — `converged`, as when each event was judged at once.
   */
  add(key: string, at: number, trigger: Trigger, envelope: Envelope): void {
    this.at = at;
    const pending = this.pending.get(key);
    if (pending === undefined) this.pending.set(key, { trigger, order: releaseOrder(envelope) });
    else pending.trigger = trigger;
  }

  /** The waiting judgements in release order of each key's first event, forgetting them. */
  take(): Array<[key: string, trigger: Trigger]> {
    const entries = [...this.pending];
    this.pending.clear();
    if (entries.length > 1) entries.sort(([, a], [, b]) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    return entries.map(([key, { trigger }]) => [key, trigger]);
  }

  snapshotOf(key: string): InstantJudgement | undefined {
    const p = this.pending.get(key);
    return p === undefined ? undefined : { at: this.at, trigger: p.trigger, order: p.order };
  }

  restore(key: string, judgement: InstantJudgement | undefined): void {
    this.pending.delete(key);
    if (judgement === undefined) return;
    this.at = judgement.at;
    this.pending.set(key, { trigger: judgement.trigger, order: judgement.order });
  }

  delete(key: string): void {
    this.pending.delete(key);
  }
}
