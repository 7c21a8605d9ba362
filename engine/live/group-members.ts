/**
 * How many members share the consumer group, as a gauge and, above one, a
 * warning: per-key results (incidents, drift alerts, drift windows) are exact
 * with any number of members, but env-level rollups (promotion windows, MTTR
 * snapshots, rate rules) are computed over the partitions one member owns
 * (README: Known limits; the store keeps every member's share) — an operator
 * scaling out must see that, not find it in a dashboard. Best effort: a failed look-up is only logged.
 */
import { memberInstanceIds } from '../../topics/co-partition-assigner.js';
import type { Logger } from '../../lib/logger.js';
import type { GroupDescriber } from './group-description.js';
import type { LiveMetrics } from './live-metrics.js';

export async function reportGroupMembers(
  describer: GroupDescriber,
  log: Logger,
  metrics: LiveMetrics | undefined,
  generation: number,
  /** The member's generation now: once a newer one has joined, its own report counts, not this one. */
  currentGeneration: () => number,
): Promise<void> {
  try {
    const group = await describer.forGeneration(generation);
    const members = group?.members.length ?? 0;
    if (generation !== currentGeneration() || members === 0) return;
    metrics?.groupMembers(members);
    if (members > 1) {
      log.warn(
        { members, generation },
        'several members in the consumer group: incidents, drift alerts and drift windows stay exact; env-level rollups are each member\'s share (the store keeps every share by instance_id, so sums are exact, but quantiles, MTTR snapshots and rate rules judge a share)',
      );
    }
  } catch (err) {
    log.debug({ err }, 'could not describe the consumer group');
  }
}

/**
 * The engine instance ids of the group's members (their subscriptions say),
 * or null when that cannot be told: the group is still settling after a few
 * tries, a member did not say, or the look-up failed (logged). The caller's
 * next assignment asks again. (Asked right after this member's own join,
 * the group is Stable already unless another rebalance has begun, which
 * the tries would only hold up: they are few and short.) The first try is
 * the generation's shared description (the member count's, on the join);
 * a retry describes the group anew.
 */
export async function groupInstanceIds(
  describer: GroupDescriber,
  generation: number,
  log: Logger,
  tries = 3,
  pauseMs = 300,
): Promise<Set<string> | null> {
  try {
    for (let i = 0; i < tries; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
      const group = i === 0 ? await describer.forGeneration(generation) : await describer.describeNow();
      // Members that joined but have not synced yet would be missing from a group that is not Stable.
      if (group?.state === 'Stable' && group.members.length > 0) return memberInstanceIds(group.members);
    }
    return null;
  } catch (err) {
    log.warn({ err }, 'could not describe the consumer group: per-env state of departed instances is not taken over this time');
    return null;
  }
}
