/**
 * How many members share the consumer group, as a gauge and, above one, a
 * warning: per-key results (incidents, drift alerts, drift windows) are exact
 * with any number of members, but env-level rollups (promotion windows, MTTR
 * snapshots, rate rules) are computed over the partitions one member owns
 * (README: Known limits; the store keeps every member's share) — an operator
 * scaling out must see that, not find it in a dashboard. Best effort: a failed look-up is only logged.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import type { LiveMetrics } from './live-metrics.js';

export async function reportGroupMembers(
  admin: Admin,
  groupId: string,
  log: Logger,
  metrics: LiveMetrics | undefined,
  generation: number,
  /** The member's generation now: once a newer one has joined, its own report counts, not this one. */
  currentGeneration: () => number,
): Promise<void> {
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members.length ?? 0;
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
