/**
 * The group's description on a join (engine/live/group-description.ts): the
 * member count and the restore's instance ids share one describeGroups per
 * generation; a group not yet Stable is described again, a failed look-up
 * is not kept, and a new generation asks anew. The admin is a stand-in that
 * answers from a list and counts the requests.
 */
import { describe, expect, it, vi } from 'vitest';
import kafkajs, { type Admin, type GroupDescription } from 'kafkajs';
import { silentLogger } from '../../../lib/logger.js';
import { GroupDescriber } from '../../../engine/live/group-description.js';
import { groupInstanceIds, reportGroupMembers } from '../../../engine/live/group-members.js';
import type { LiveMetrics } from '../../../engine/live/live-metrics.js';

const member = (instanceId: string) => ({
  memberId: `m-${instanceId}`,
  clientId: 'c',
  clientHost: 'h',
  memberAssignment: Buffer.alloc(0),
  memberMetadata: kafkajs.AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['t'], userData: Buffer.from(instanceId) }),
});
const group = (state: string, ...instanceIds: string[]): GroupDescription =>
  ({ groupId: 'g', state, protocol: 'p', protocolType: 'consumer', errorCode: 0, members: instanceIds.map(member) }) as GroupDescription;

/** Answers each describeGroups with the next of `answers` (an Error is thrown). */
function standInAdmin(...answers: Array<GroupDescription | Error>): { admin: Admin; requests: () => number } {
  let n = 0;
  const admin = {
    describeGroups: async () => {
      const answer = answers[Math.min(n++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { groups: [answer] };
    },
  } as unknown as Admin;
  return { admin, requests: () => n };
}

const countingMetrics = () => {
  const groupMembers = vi.fn();
  return { metrics: { groupMembers } as unknown as LiveMetrics, groupMembers };
};

describe('one group description per generation', () => {
  it('the member count and the instance ids of one join share one describeGroups', async () => {
    const { admin, requests } = standInAdmin(group('Stable', 'engine-a', 'engine-b'));
    const describer = new GroupDescriber(admin, 'g');
    const { metrics, groupMembers } = countingMetrics();
    // As on a join: the report starts, the restore asks while it may still be on its way.
    const [, ids] = await Promise.all([reportGroupMembers(describer, silentLogger, metrics, 1, () => 1), groupInstanceIds(describer, 1, silentLogger, 3, 0)]);
    expect(ids).toEqual(new Set(['engine-a', 'engine-b']));
    expect(groupMembers).toHaveBeenCalledWith(2);
    // Asked after the report has its answer: still the same one.
    expect(await groupInstanceIds(describer, 1, silentLogger, 3, 0)).toEqual(new Set(['engine-a', 'engine-b']));
    expect(requests()).toBe(1);
  });

  it('a group not yet Stable is described again, up to the tries', async () => {
    const { admin, requests } = standInAdmin(group('CompletingRebalance', 'engine-a'), group('Stable', 'engine-a', 'engine-b'));
    const describer = new GroupDescriber(admin, 'g');
    await reportGroupMembers(describer, silentLogger, undefined, 1, () => 1);
    expect(await groupInstanceIds(describer, 1, silentLogger, 3, 0)).toEqual(new Set(['engine-a', 'engine-b']));
    expect(requests()).toBe(2);

    const settling = standInAdmin(group('PreparingRebalance', 'engine-a'));
    expect(await groupInstanceIds(new GroupDescriber(settling.admin, 'g'), 1, silentLogger, 3, 0)).toBeNull();
    expect(settling.requests()).toBe(3);
  });

  it('a failed look-up is not kept: the next reader of the generation asks again', async () => {
    const { admin, requests } = standInAdmin(new Error('coordinator not available'), group('Stable', 'engine-a'));
    const describer = new GroupDescriber(admin, 'g');
    const { metrics, groupMembers } = countingMetrics();
    await reportGroupMembers(describer, silentLogger, metrics, 1, () => 1);
    expect(groupMembers).not.toHaveBeenCalled();
    expect(await groupInstanceIds(describer, 1, silentLogger, 3, 0)).toEqual(new Set(['engine-a']));
    expect(requests()).toBe(2);
  });

  it('a new generation is described anew', async () => {
    const { admin, requests } = standInAdmin(group('Stable', 'engine-a'), group('Stable', 'engine-a', 'engine-b'));
    const describer = new GroupDescriber(admin, 'g');
    expect(await groupInstanceIds(describer, 1, silentLogger, 3, 0)).toEqual(new Set(['engine-a']));
    expect(await groupInstanceIds(describer, 2, silentLogger, 3, 0)).toEqual(new Set(['engine-a', 'engine-b']));
    expect(requests()).toBe(2);
  });
});
