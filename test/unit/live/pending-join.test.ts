/**
 * PendingJoin (engine/live/pending-join.ts) rests on kafkajs 2.2.4 internals: the Kafka client's private cluster
 * factory, and its brokers' request lookup. Without a broker: the factory is found (a kafkajs upgrade without it
 * would silently make a stop during a join wait for it again), each JoinGroup's member id is noted and, once the join
 * is given up, no JoinGroup is sent. The LeaveGroup itself, on the real broker: live-start-up-signal.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import kafkajs, { type Kafka } from 'kafkajs';
import { PendingJoin } from '../../../engine/live/pending-join.js';
import { JOIN_GIVEN_UP, StopRequestedError } from '../../../lib/errors.js';
import { silentLogger } from '../../../lib/logger.js';

const JOIN_GROUP = 11;
const HEARTBEAT = 12;

type Builder = (args: { memberId?: string }) => unknown;
interface FakeBroker {
  lookupRequest: (apiKey: number, definition: unknown) => Builder;
  leaveGroup: ReturnType<typeof vi.fn>;
}

/** A Kafka client shaped like kafkajs' (its private cluster factory), whose clusters' coordinator is `broker`. */
function fakeKafka(broker: FakeBroker): Kafka {
  const factory = Symbol('private:Kafka:createCluster');
  return {
    [factory]: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      findGroupCoordinator: async () => broker,
    }),
  } as unknown as Kafka;
}

function fakeBroker(): FakeBroker {
  return { lookupRequest: (apiKey) => (args) => ({ apiKey, ...args }), leaveGroup: vi.fn(async () => ({})) };
}

/** The coordinator the member's client finds, as kafkajs' consumer group does before a join. */
async function coordinatorOf(pending: PendingJoin): Promise<FakeBroker> {
  const kafka = pending.memberKafka as unknown as Record<symbol, (o: object) => { findGroupCoordinator(a: object): Promise<FakeBroker> }>;
  const key = Object.getOwnPropertySymbols(kafka)[0]!;
  return kafka[key]!({}).findGroupCoordinator({ groupId: 'g' });
}

describe('PendingJoin', () => {
  it("finds kafkajs' private cluster factory: the member's client is a watched one", () => {
    const kafka = new kafkajs.Kafka({ clientId: 'test', brokers: ['127.0.0.1:1'], logLevel: kafkajs.logLevel.NOTHING });
    expect(new PendingJoin(kafka, 'g', silentLogger).memberKafka).not.toBe(kafka);
  });

  it('a client without it is used as it is, and giving up sends nothing', async () => {
    const kafka = {} as Kafka;
    const pending = new PendingJoin(kafka, 'g', silentLogger);
    expect(pending.memberKafka).toBe(kafka);
    await expect(pending.giveUp()).resolves.toBeUndefined();
  });

  it("takes the last JoinGroup's member out of the group, and refuses any JoinGroup after", async () => {
    const broker = fakeBroker();
    const pending = new PendingJoin(fakeKafka(broker), 'g', silentLogger);
    const coordinator = await coordinatorOf(pending);
    // kafkajs' two-step join (KIP-394): without a member id, then with the one the broker gave.
    coordinator.lookupRequest(JOIN_GROUP, {})({ memberId: '' });
    coordinator.lookupRequest(JOIN_GROUP, {})({ memberId: 'driftwatch-m1' });
    coordinator.lookupRequest(HEARTBEAT, {})({ memberId: 'not a join' });
    // kafkajs sets the lookup again when it reconnects: still watched.
    coordinator.lookupRequest = (apiKey) => (args) => ({ apiKey, again: true, ...args });
    await pending.giveUp();
    expect(broker.leaveGroup.mock.calls).toEqual([[{ groupId: 'g', memberId: 'driftwatch-m1' }]]);
    const join = coordinator.lookupRequest(JOIN_GROUP, {});
    expect(() => join({ memberId: '' })).toThrow(new StopRequestedError(JOIN_GIVEN_UP));
    expect(coordinator.lookupRequest(HEARTBEAT, {})({ memberId: 'm' })).toEqual({ apiKey: HEARTBEAT, again: true, memberId: 'm' });
  });

  it('given up before any JoinGroup: no LeaveGroup, and no JoinGroup from then on', async () => {
    const broker = fakeBroker();
    const pending = new PendingJoin(fakeKafka(broker), 'g', silentLogger);
    await pending.giveUp();
    const coordinator = await coordinatorOf(pending);
    expect(() => coordinator.lookupRequest(JOIN_GROUP, {})({ memberId: '' })).toThrow(StopRequestedError);
    expect(broker.leaveGroup).not.toHaveBeenCalled();
  });
});
