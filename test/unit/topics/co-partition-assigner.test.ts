import { describe, it, expect } from 'vitest';
import kafkajs, { type Cluster, type Logger } from 'kafkajs';
import {
  CO_PARTITION_ASSIGNER_NAME,
  assignCoPartitioned,
  coPartitionAssigner,
  coPartitionAssignerFor,
  memberInstanceIds,
  partitionCountMismatch,
} from '../../../topics/co-partition-assigner.js';

const inputs = ['promotion', 'hydration', 'index'];
const six = [0, 1, 2, 3, 4, 5];
const all = (ps: number[]) => Object.fromEntries(inputs.map((t) => [t, ps]));

describe('assignCoPartitioned', () => {
  it('gives partition p of every topic to the same member, round-robin over sorted member ids', () => {
    // Members arrive unsorted; "m-a" < "m-b" < "m-c" decides the order.
    const members = ['m-c', 'm-a', 'm-b'].map((memberId) => ({ memberId, topics: inputs }));
    expect(assignCoPartitioned(members, all(six))).toEqual({
      'm-a': { hydration: [0, 3], index: [0, 3], promotion: [0, 3] },
      'm-b': { hydration: [1, 4], index: [1, 4], promotion: [1, 4] },
      'm-c': { hydration: [2, 5], index: [2, 5], promotion: [2, 5] },
    });
  });

  it('balances within one partition number when members do not divide the count', () => {
    const members = ['b', 'a', 'd', 'c'].map((memberId) => ({ memberId, topics: inputs }));
    const result = assignCoPartitioned(members, all(six));
    expect(Object.fromEntries(Object.entries(result).map(([m, t]) => [m, t.index]))).toEqual({ a: [0, 4], b: [1, 5], c: [2], d: [3] });
  });

  it('is deterministic: the same input in any order gives the same output', () => {
    const a = assignCoPartitioned([{ memberId: 'x', topics: inputs }, { memberId: 'y', topics: [...inputs].reverse() }], all([5, 3, 1, 0, 2, 4]));
    const b = assignCoPartitioned([{ memberId: 'y', topics: inputs }, { memberId: 'x', topics: inputs }], all(six));
    expect(a).toEqual(b);
    expect(a.x).toEqual({ hydration: [0, 2, 4], index: [0, 2, 4], promotion: [0, 2, 4] });
  });

  it('keeps members without partitions in the result, with nothing assigned', () => {
    const members = ['a', 'b', 'c'].map((memberId) => ({ memberId, topics: inputs }));
    expect(assignCoPartitioned(members, all([0, 1]))).toEqual({
      a: { hydration: [0], index: [0], promotion: [0] },
      b: { hydration: [1], index: [1], promotion: [1] },
      c: {},
    });
    expect(assignCoPartitioned([], all(six))).toEqual({});
  });

  it('never gives a topic to a member that does not subscribe to it (rolling upgrade)', () => {
    const members = [
      { memberId: 'a', topics: ['promotion', 'hydration'] }, // old version: no index
      { memberId: 'b', topics: inputs },
    ];
    expect(assignCoPartitioned(members, all([0, 1, 2, 3]))).toEqual({
      a: { hydration: [0, 2], promotion: [0, 2] },
      b: { hydration: [1, 3], index: [0, 1, 2, 3], promotion: [1, 3] },
    });
  });

  it('still assigns every partition when counts differ (co-partitioning is broken, but nothing is left unread)', () => {
    const partitions = { promotion: [0, 1, 2, 3], hydration: [0, 1] };
    const result = assignCoPartitioned([{ memberId: 'a', topics: inputs }, { memberId: 'b', topics: inputs }], partitions);
    expect(result).toEqual({ a: { hydration: [0], promotion: [0, 2] }, b: { hydration: [1], promotion: [1, 3] } });
    expect(partitionCountMismatch(partitions)).toBe('promotion=4, hydration=2');
    expect(partitionCountMismatch(all(six))).toBeNull();
  });
});

describe('coPartitionAssigner (kafkajs protocol)', () => {
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m), info() {}, error() {}, debug() {}, namespace: () => logger, setLogLevel() {} } as unknown as Logger;
  const counts: Record<string, number> = { promotion: 4, hydration: 4, index: 4 };
  const cluster = {
    findTopicPartitionMetadata: (topic: string) => Array.from({ length: counts[topic]! }, (_, partitionId) => ({ partitionId })),
  } as unknown as Cluster;
  const assigner = coPartitionAssigner({ cluster, groupId: 'g', logger });

  it('announces its name and the member subscription in the protocol metadata', () => {
    const state = assigner.protocol({ topics: inputs });
    expect(state.name).toBe(CO_PARTITION_ASSIGNER_NAME);
    expect(kafkajs.AssignerProtocol.MemberMetadata.decode(state.metadata)).toMatchObject({ version: 1, topics: inputs });
  });

  it('encodes one MemberAssignment per member, from the members\' metadata', async () => {
    const members = ['m2', 'm1'].map((memberId) => ({ memberId, memberMetadata: assigner.protocol({ topics: inputs }).metadata }));
    const result = await assigner.assign({ members, topics: inputs });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, kafkajs.AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    expect(decoded).toEqual({
      m1: { hydration: [0, 2], index: [0, 2], promotion: [0, 2] },
      m2: { hydration: [1, 3], index: [1, 3], promotion: [1, 3] },
    });
    expect(warnings).toEqual([]);
  });

  it('warns when the subscribed topics are not co-partitioned', async () => {
    counts.index = 3;
    const members = [{ memberId: 'm1', memberMetadata: assigner.protocol({ topics: inputs }).metadata }];
    await assigner.assign({ members, topics: inputs });
    expect(warnings).toEqual(['subscribed topics are not co-partitioned (promotion=4, hydration=4, index=3): events of one key may reach different members']);
  });
});

describe('engine instance ids in the subscription', () => {
  const logger = { warn() {}, info() {}, error() {}, debug() {}, namespace: () => logger, setLogLevel() {} } as unknown as Logger;
  const cluster = { findTopicPartitionMetadata: () => [0, 1].map((partitionId) => ({ partitionId })) } as unknown as Cluster;
  const metadataOf = (instanceId?: string) =>
    (instanceId === undefined ? coPartitionAssigner : coPartitionAssignerFor(instanceId))({ cluster, groupId: 'g', logger }).protocol({ topics: inputs }).metadata;

  it("tell which instances are in the group, and leave the assignment as it was", async () => {
    expect(memberInstanceIds([{ memberMetadata: metadataOf('engine-a') }, { memberMetadata: metadataOf('engine-b') }])).toEqual(new Set(['engine-a', 'engine-b']));
    const withIds = coPartitionAssignerFor('engine-a')({ cluster, groupId: 'g', logger });
    const members = [{ memberId: 'm1', memberMetadata: metadataOf('engine-a') }, { memberId: 'm2', memberMetadata: metadataOf() }];
    const result = await withIds.assign({ members, topics: inputs });
    expect(result.map((r) => kafkajs.AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment)).toEqual([
      { hydration: [0], index: [0], promotion: [0] },
      { hydration: [1], index: [1], promotion: [1] },
    ]);
  });

  it('cannot be told when a member does not say (an older version) or its metadata is not ours', () => {
    expect(memberInstanceIds([{ memberMetadata: metadataOf('engine-a') }, { memberMetadata: metadataOf() }])).toBeNull();
    expect(memberInstanceIds([{ memberMetadata: metadataOf('engine-a') }, { memberMetadata: Buffer.from([1, 2]) }])).toBeNull();
  });
});
