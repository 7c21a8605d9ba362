/**
 * snapshot_not_verified (seed KPI: snapshot health 100 %), per (env,
 * artifact): a promotion `snapshot` event with verified=false fires; the next
 * verified snapshot of the same env and artifact resolves it. Later unverified
 * snapshots while firing only refresh the description.
 */
import type { PromotionEvent } from '../../../schemas/input-events.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import { timestamp } from '../format.js';

export function createSnapshotNotVerifiedRule(ctx: RuleContext): AlertRule {
  return {
    kinds: ['event'],
    handle(fact) {
      if (fact.kind !== 'event' || fact.envelope.event.type !== 'promotion') return;
      const e: PromotionEvent = fact.envelope.event;
      if (e.phase !== 'snapshot' || !e.snapshot) return;
      const labels = { env: e.env, artifact: e.artifact };
      if (e.snapshot.verified) {
        ctx.clear(fact.at, labels);
        return;
      }
      ctx.raise(fact.at, {
        labels,
        startsAt: fact.envelope.at,
        summary: `Snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} is not verified`,
        description:
          `Promotion ${e.promotionId} reported snapshot ${e.snapshot.snapshotId} of ${e.artifact} in ${e.env} ` +
          `as not verified at ${timestamp(fact.envelope.at)}; a rollback to it may not restore a known-good state. ` +
          `Resolves when a verified snapshot of ${e.artifact} in ${e.env} is reported.`,
        correlationId: e.correlationId,
      });
    },
  };
}
