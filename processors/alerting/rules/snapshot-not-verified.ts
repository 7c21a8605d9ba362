/**
 * snapshot_not_verified (seed KPI: snapshot health 100 %), per (env,
 * artifact): a promotion `snapshot` event with verified=false fires; the next
 * verified snapshot of the same env and artifact resolves it. Later unverified
 * snapshots while firing only refresh the description.
 *
 * Late snapshots (SPEC §4.7: never silently lost) are judged too, as of the
 * frontier, when they are learnt — as late drift evidence is: an unverified
 * one fires from then (it used to be dropped, so the alert consumer never
 * heard of it), a verified one resolves. What decides is the newest snapshot
 * reported for the key (by occurredAt), so a late one older than a snapshot
 * already judged changes nothing: a late unverified snapshot from before a
 * verified one is no alert, a late verified one from before an unverified one
 * resolves nothing. That newest time is per-key state (one number per key
 * that reported a snapshot), kept with the key's alerts in live mode.
 */
import type { PromotionEvent } from '../../../schemas/input-events.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { stateKey } from '../../stateful.js';
import { timestamp } from '../format.js';

/** Per-key state: occurredAt of the newest snapshot reported for the key. */
export interface SnapshotRuleKeySnapshot {
  newestAt: number;
}

export function createSnapshotNotVerifiedRule(ctx: RuleContext): AlertRule {
  /** `<env>/<artifact>` → occurredAt of the newest snapshot judged. */
  const newest = new Map<string, number>();
  return {
    kinds: ['event', 'late'],
    handle(fact) {
      if ((fact.kind !== 'event' && fact.kind !== 'late') || fact.envelope.event.type !== 'promotion') return;
      const e: PromotionEvent = fact.envelope.event;
      if (e.phase !== 'snapshot' || !e.snapshot) return;
      const key = stateKey(e.env, e.artifact);
      const reportedAt = fact.envelope.at;
      const seen = newest.get(key);
      if (seen !== undefined && reportedAt < seen) return; // older than a snapshot already judged: that one decides
      newest.set(key, reportedAt);
      const labels = { env: e.env, artifact: e.artifact };
      if (e.snapshot.verified) {
        ctx.clear(fact.at, labels);
        return;
      }
      ctx.raise(fact.at, {
        labels,
        // In order, the snapshot's own time; late, the frontier (fact.at): the moment it is known.
        startsAt: fact.at,
        summary: `Snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} is not verified`,
        description:
          `Promotion ${e.promotionId} reported snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} ` +
          `as not verified at ${timestamp(reportedAt)}; a rollback to it may not restore a known-good state. ` +
          `Resolves when a verified snapshot of ${e.artifact} in ${e.env} is reported.`,
        correlationId: e.correlationId,
      });
    },
    keyedState: {
      snapshotKey(key: string): SnapshotRuleKeySnapshot | undefined {
        const newestAt = newest.get(key);
        return newestAt === undefined ? undefined : { newestAt };
      },
      restoreKey(key: string, state: SnapshotRuleKeySnapshot) {
        newest.set(key, state.newestAt);
      },
      dropKey(key: string) {
        newest.delete(key);
      },
    },
  };
}
