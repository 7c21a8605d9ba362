/**
 * A kafkajs partition assigner for co-partitioned inputs (Kafka Streams
 * style): a group member owns whole partition NUMBERS. Partition p of every
 * subscribed topic goes to the same member, so all events of one key (same
 * key → same partition number in each co-partitioned topic) meet in one
 * process and one keyed state.
 *
 * kafkajs' built-in round-robin assigner spreads (topic, partition) pairs
 * independently, which would split promotions and observations of one key
 * across members. Here partition numbers (sorted) are dealt round-robin over
 * the member ids (sorted), so the result depends only on the group's members
 * and the topics' partition counts: every leader computes the same answer.
 *
 * Members that do not subscribe to a topic (a rolling upgrade that changed
 * the topic list) never receive its partitions; such a partition goes to the
 * subscribers of that topic round-robin instead, and co-partitioning holds
 * again once every member runs the same subscription.
 *
 * Not sticky: a membership change may move partitions that could have
 * stayed. State is restored from the changelog on every assignment anyway.
 *
 * A member built with `coPartitionAssignerFor(instanceId)` puts its engine
 * instance id in its subscription's user data, so any member can tell from
 * the group's description which instances are in it (`memberInstanceIds`):
 * the per-env state of one that is not has been left behind
 * (engine/live/retiring-shares.ts). The assignment does not depend on it.
 */
import kafkajs, { type Assigner, type GroupMember, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITION_ASSIGNER_NAME = 'DriftwatchCoPartitionAssigner';
const VERSION = 1;

export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
}

/** memberId → topic → partitions (ascending). Every member is present, possibly with no topics. */
export type CoPartitionAssignment = Record<string, Record<string, number[]>>;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The assignment as a pure function of the members (and their subscriptions)
 * and the partitions of each topic. Topics nobody subscribes to are ignored.
 */
export function assignCoPartitioned(
  members: readonly MemberSubscription[],
  partitionsByTopic: Readonly<Record<string, readonly number[]>>,
): CoPartitionAssignment {
  const sorted = [...members].sort((a, b) => byCodeUnit(a.memberId, b.memberId));
  const result: CoPartitionAssignment = {};
  for (const m of sorted) result[m.memberId] = {};
  if (sorted.length === 0) return result;

  // Rank of each partition number among all numbers present: for co-partitioned
  // topics that is just p, and owner(p) = member[p mod n].
  const numbers = [...new Set(Object.values(partitionsByTopic).flat())].sort((a, b) => a - b);
  const rank = new Map(numbers.map((p, i) => [p, i] as const));

  for (const topic of Object.keys(partitionsByTopic).sort(byCodeUnit)) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0) continue;
    for (const p of [...partitionsByTopic[topic]!].sort((a, b) => a - b)) {
      const i = rank.get(p)!;
      const owner = sorted[i % sorted.length]!;
      const member = owner.topics.includes(topic) ? owner : subscribers[i % subscribers.length]!;
      (result[member.memberId]![topic] ??= []).push(p);
    }
  }
  return result;
}

/** Partition counts that differ between subscribed topics break co-partitioning; say which. */
export function partitionCountMismatch(partitionsByTopic: Readonly<Record<string, readonly number[]>>): string | null {
  const counts = Object.entries(partitionsByTopic).map(([t, ps]) => `${t}=${ps.length}`);
  const distinct = new Set(Object.values(partitionsByTopic).map((ps) => ps.length));
  return distinct.size > 1 ? counts.join(', ') : null;
}

/** Subscribed topics from a member's metadata; a member whose metadata cannot be read is taken to want them all. */
function subscriptionOf(member: GroupMember, groupTopics: readonly string[]): MemberSubscription {
  const decoded = kafkajs.AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
  return { memberId: member.memberId, topics: decoded?.topics ?? groupTopics };
}

/**
 * The engine instance ids of a group's members, from their subscription's
 * user data (DescribeGroups' `memberMetadata`); null when some member did
 * not say (a version from before it did, another client): who left cannot
 * be told then.
 */
export function memberInstanceIds(members: ReadonlyArray<{ memberMetadata: Buffer }>): Set<string> | null {
  const ids = new Set<string>();
  for (const member of members) {
    const id = memberInstanceId(member);
    if (id === '') return null;
    ids.add(id);
  }
  return ids;
}

/** The engine instance id one member announces in its subscription's user data; '' when it did not say. */
export function memberInstanceId(member: { memberMetadata: Buffer }): string {
  try {
    return kafkajs.AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData.toString('utf8') ?? '';
  } catch {
    return ''; // Not our protocol's metadata (or none: a group that is not Stable describes its members without it).
  }
}

/**
 * The kafkajs `PartitionAssigner`: pass it as
 * `kafka.consumer({ groupId, partitionAssigners: [coPartitionAssigner] })`.
 * Every member of the group must offer it (kafkajs picks a protocol all members support).
 */
export const coPartitionAssigner: PartitionAssigner = assignerAnnouncing(Buffer.alloc(0));

/** `coPartitionAssigner`, with this member's engine instance id in its subscription (see `memberInstanceIds`). */
export function coPartitionAssignerFor(instanceId: string): PartitionAssigner {
  return assignerAnnouncing(Buffer.from(instanceId, 'utf8'));
}

/** The assigner, with `userData` in this member's subscription (the assignment does not read it). */
function assignerAnnouncing(userData: Buffer): PartitionAssigner {
  return ({ cluster, logger }): Assigner => ({
    name: CO_PARTITION_ASSIGNER_NAME,
    version: VERSION,

    async assign({ members, topics }): Promise<GroupMemberAssignment[]> {
      const partitionsByTopic: Record<string, number[]> = {};
      for (const topic of topics) partitionsByTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
      const mismatch = partitionCountMismatch(partitionsByTopic);
      if (mismatch) {
        // Assign anyway (refusing would stop the whole group); `topics create` and the runner's start-up check report it as an error.
        logger.warn(`subscribed topics are not co-partitioned (${mismatch}): events of one key may reach different members`, { mismatch });
      }
      const assignment = assignCoPartitioned(
        members.map((m) => subscriptionOf(m, topics)),
        partitionsByTopic,
      );
      return Object.entries(assignment).map(([memberId, perTopic]) => ({
        memberId,
        memberAssignment: kafkajs.AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment: perTopic, userData: Buffer.alloc(0) }),
      }));
    },

    protocol({ topics }) {
      return {
        name: CO_PARTITION_ASSIGNER_NAME,
        metadata: kafkajs.AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData }),
      };
    },
  });
}
