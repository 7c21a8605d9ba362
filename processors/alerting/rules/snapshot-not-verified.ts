/**
 * snapshot_not_verified (seed KPI: snapshot health 100 %), per (env,
 * artifact): a promotion `snapshot` event with verified=false fires; the next
 * verified snapshot of the same env and artifact resolves it. Later unverified
 * snapshots while firing only refresh the description.
 *
 * A key that reports no snapshot for `window` (event time, from the last one
 * judged) is no longer measured — never promoted again, its environment
 * retired — and its alert resolves then, with a note saying so, as the rate
 * rules resolve when nothing of theirs is left in their window. It used to
 * fire for ever (at L4) with no way to end it but turning the rule off. Its
 * end is derived from the per-key state, so a restore re-arms it: `window`
 * after the key's newest snapshot, or `expiresAt` when that differs (a late
 * snapshot's, judged from the frontier); the alert's labels come from its
 * restored instance (restoredFiring).
 *
 * Late snapshots (SPEC §4.7: never silently lost) are judged too, as of the
 * frontier, when they are learnt — as late drift evidence is: an unverified
 * one fires from then (it used to be dropped, so the alert consumer never
 * heard of it), a verified one resolves. What decides is the newest snapshot
 * reported for the key (by occurredAt), so a late one older than a snapshot
 * already judged changes nothing: a late unverified snapshot from before a
 * verified one is no alert, a late verified one from before an unverified one
 * resolves nothing. That newest time is per-key state (one number per key
 * that reported a snapshot within `window`), kept with the key's alerts in
 * live mode. It is forgotten when the key has reported none for `window` —
 * when its alert would resolve, at the same end (`window` after the newest, or
 * after a late unverified one was judged) — so the state is bounded by the
 * keys still reporting, not by every key that ever did. A late snapshot of a
 * key with no such time that was reported more than `window` before it is
 * learnt is not judged: the key is no longer measured then (and a snapshot
 * older than the forgotten newest one, which would have decided nothing, is
 * always such). The key's changelog record loses the time then too.
 */
import type { PromotionEvent } from '../../../schemas/input-events.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import type { Labels } from '../alert-instance.js';
import { stateKey } from '../../stateful.js';
import { TimerQueue } from '../../timer-queue.js';
import { ConfigError } from '../../../lib/errors.js';
import { duration, timestamp } from '../format.js';

/** Per-key state: occurredAt of the newest snapshot reported for the key; while its alert fires, when that ends. */
export interface SnapshotRuleKeySnapshot {
  newestAt: number;
  /**
   * While the key's alert fires: when it resolves if no snapshot comes (the last judged + window). Absent when that
   * is newestAt + window (a snapshot judged in order, and every record of the releases before it was kept).
   */
  expiresAt?: number;
}

interface Firing {
  /** Unknown for a key restored before its instance told them (restoredFiring). */
  labels?: Labels;
  expiresAt: number;
}

export function createSnapshotNotVerifiedRule(ctx: RuleContext): AlertRule {
  const configured = ctx.config.windowMs;
  if (configured === undefined) throw new ConfigError(`rules.${ctx.rule}`, 'window is required');
  const windowMs = configured;
  /** `<env>/<artifact>` → occurredAt of the newest snapshot judged. */
  const newest = new Map<string, number>();
  /** The keys whose alert fires, and when it ends if no snapshot comes. */
  const firing = new Map<string, Firing>();
  /** When each key in `newest` is forgotten (and its alert, if firing, resolves): its firing end, else newest + window. */
  const ends = new TimerQueue();

  function expireAt(key: string, f: Firing): void {
    firing.set(key, f);
    ends.schedule(key, f.expiresAt);
  }

  /** Not firing: the key is forgotten `window` after its newest snapshot. */
  function judged(key: string, newestAt: number): void {
    firing.delete(key);
    ends.schedule(key, newestAt + windowMs);
  }

  function forget(key: string): void {
    firing.delete(key);
    ends.cancel(key);
  }

  return {
    kinds: ['event', 'late'],
    eventTypes: ['promotion'],
    handle(fact) {
      if ((fact.kind !== 'event' && fact.kind !== 'late') || fact.envelope.event.type !== 'promotion') return;
      const e: PromotionEvent = fact.envelope.event;
      if (e.phase !== 'snapshot' || !e.snapshot) return;
      const key = stateKey(e.env, e.artifact);
      const reportedAt = fact.envelope.at;
      const seen = newest.get(key);
      if (seen !== undefined && reportedAt < seen) return; // older than a snapshot already judged: that one decides
      if (seen === undefined && reportedAt + windowMs < fact.at) return; // a late one of a key no longer measured (module comment)
      newest.set(key, reportedAt);
      const labels = { env: e.env, artifact: e.artifact };
      if (e.snapshot.verified) {
        judged(key, reportedAt);
        // The resolution names the snapshot that resolved it: the firing text named the unverified one.
        const text = ctx.isFiring(labels)
          ? {
              summary: `Snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} is verified`,
              description: `Resolved: promotion ${e.promotionId} reported snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} as verified at ${timestamp(reportedAt)}.`,
            }
          : undefined;
        ctx.clear(fact.at, labels, undefined, undefined, text);
        return;
      }
      // From when it is judged: in order its own time, late the frontier (as startsAt).
      expireAt(key, { labels, expiresAt: fact.at + windowMs });
      ctx.raise(fact.at, {
        labels,
        // In order, the snapshot's own time; late, the frontier (fact.at): the moment it is known.
        startsAt: fact.at,
        summary: `Snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} is not verified`,
        description:
          `Promotion ${e.promotionId} reported snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} ` +
          `as not verified at ${timestamp(reportedAt)}; a rollback to it may not restore a known-good state. ` +
          `Resolves when a verified snapshot of ${e.artifact} in ${e.env} is reported, or when none is for ${duration(windowMs)}.`,
        correlationId: e.correlationId,
      });
    },
    timer: {
      get due() {
        return ends.nextTime;
      },
      fire(at) {
        ends.fireDue(at, (key, time) => {
          const labels = firing.get(key)?.labels;
          firing.delete(key);
          newest.delete(key); // no snapshot for `window`: no longer measured
          if (labels === undefined) {
            // Not firing (or no instance was restored for it): nothing resolves, but the key's record must lose the
            // time — a clear of nothing firing is how a rule's key state change reaches the changelog (RuleContext).
            const unlabelled = labelsOf(key);
            if (!ctx.isFiring(unlabelled)) ctx.clear(time, unlabelled);
            return;
          }
          ctx.clear(
            time,
            labels,
            undefined,
            `Resolved because no snapshot of ${labels.artifact} in ${labels.env} was reported for ${duration(windowMs)} (its window): ` +
              'this rule no longer judges it; the last one was not verified.',
          );
        });
      },
    },
    restoredFiring(labels) {
      const key = stateKey(labels.env!, labels.artifact!);
      const f = firing.get(key);
      if (f) f.labels = labels;
      else {
        // No `expiresAt` in the key's record: `window` after its newest snapshot.
        const newestAt = newest.get(key);
        if (newestAt !== undefined) expireAt(key, { labels, expiresAt: newestAt + windowMs });
      }
    },
    keyedState: {
      snapshotKey(key: string): SnapshotRuleKeySnapshot | undefined {
        const newestAt = newest.get(key);
        if (newestAt === undefined) return undefined;
        // Written only when it is not what a record without it means (restoredFiring): a late snapshot's, judged
        // from the frontier. So the records stay as the previous release wrote them.
        const expiresAt = firing.get(key)?.expiresAt;
        return expiresAt === undefined || expiresAt === newestAt + windowMs ? { newestAt } : { newestAt, expiresAt };
      },
      restoreKey(key: string, state: SnapshotRuleKeySnapshot) {
        newest.set(key, state.newestAt);
        if (state.expiresAt !== undefined) expireAt(key, { expiresAt: state.expiresAt });
        else judged(key, state.newestAt); // restoredFiring adds the labels when it fires
      },
      dropKey(key: string) {
        newest.delete(key);
        forget(key);
      },
    },
  };
}

/** The labels of a key `<env>/<artifact>` (an env has no "/": input-events.ts). */
function labelsOf(key: string): Labels {
  const slash = key.indexOf('/');
  return { env: key.slice(0, slash), artifact: key.slice(slash + 1) };
}
