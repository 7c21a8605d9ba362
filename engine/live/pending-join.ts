/**
 * Giving up the engine consumer's join of its group when `driftwatch run` is
 * stopped during start-up.
 *
 * A join waits for the group's rebalance: for every other member to rejoin,
 * up to its rebalance timeout (a member stuck in a long batch neither
 * heartbeats nor rejoins). The member joining is already in the group by then
 * (awaiting its join), and kafkajs can neither cancel the join nor disconnect
 * before it is answered (it waits for every pending request). Waited for, the
 * stop ran into run's 30 s deadline and exited 1 with the member still in the
 * group, where the next instance's join waited for it in turn.
 *
 * So the member id of each JoinGroup the consumer sends is noted, and giving
 * up takes that member out of the group with a LeaveGroup of its own, from a
 * connection of its own (the one the join waits on answers nothing before
 * the join's answer). The broker answers the join at once (UNKNOWN_MEMBER_ID);
 * kafkajs would join again, which is refused from here on: the consumer stops
 * with a StopRequestedError (group-consumer.ts), and the start with it.
 *
 * kafkajs has no public API for either (its admin client cannot remove a
 * member, its consumer does not tell its member id before the join is over):
 * this uses kafkajs 2.2.4's internals (pinned in package.json, its last
 * release) — the Kafka client's private cluster factory, the cluster's
 * findGroupCoordinator, the broker's request lookup and leaveGroup. Should
 * they not be there, nothing is watched and a stop waits for the join, as
 * before (run's deadline still bounds it).
 */
import type { Kafka } from 'kafkajs';
import { JOIN_GIVEN_UP, StopRequestedError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

/** kafkajs' API key of JoinGroup (protocol/requests/apiKeys.js). */
const JOIN_GROUP = 11;

type RequestBuilder = (args: { memberId?: string }) => unknown;
type RequestLookup = (apiKey: number, definition: unknown) => RequestBuilder;
interface InternalBroker {
  lookupRequest: RequestLookup;
  leaveGroup(args: { groupId: string; memberId: string }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string }): Promise<InternalBroker>;
}
type ClusterFactory = (options: Record<string, unknown>) => InternalCluster;

/** The Kafka client's private cluster factory (kafkajs src/index.js `private:Kafka:createCluster`), if it has one. */
function clusterFactoryKey(kafka: Kafka): symbol | undefined {
  return Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
}

export class PendingJoin {
  /** The member id of the consumer's latest JoinGroup (the member a join in progress is waiting as). */
  private memberId: string | null = null;
  private givenUp = false;
  private readonly watched = new WeakSet<object>();
  /** `kafka` whose consumers note the member id of each JoinGroup they send, and send none once given up. */
  readonly memberKafka: Kafka;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly log: Logger,
  ) {
    this.memberKafka = this.watching();
  }

  private watching(): Kafka {
    const key = clusterFactoryKey(this.kafka);
    const create = key && (this.kafka as unknown as Record<symbol, ClusterFactory>)[key];
    if (!key || typeof create !== 'function') return this.kafka;
    const wrapped = Object.create(this.kafka) as Record<symbol, ClusterFactory>;
    wrapped[key] = (options) => this.watchCluster(create(options));
    return wrapped as unknown as Kafka;
  }

  private watchCluster(cluster: InternalCluster): InternalCluster {
    const find = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (args) => this.watchBroker(await find(args));
    return cluster;
  }

  /** The coordinator's request lookup, wrapped (kafkajs sets it again on each connect: kept wrapped by an accessor). */
  private watchBroker(broker: InternalBroker): InternalBroker {
    if (this.watched.has(broker)) return broker;
    this.watched.add(broker);
    let lookup = broker.lookupRequest;
    Object.defineProperty(broker, 'lookupRequest', {
      configurable: true,
      set: (value: RequestLookup) => (lookup = value),
      get: (): RequestLookup => (apiKey, definition) => {
        const build = lookup.call(broker, apiKey, definition);
        if (apiKey !== JOIN_GROUP) return build;
        return (args) => {
          if (this.givenUp) throw new StopRequestedError(JOIN_GIVEN_UP);
          if (args.memberId) this.memberId = args.memberId;
          return build(args);
        };
      },
    });
    return broker;
  }

  /**
   * No JoinGroup from now on; the member of the last one is taken out of the group (a join in progress is answered
   * at once). Best effort within `withinMs`: a failure is logged and the join is then waited for, as before.
   */
  async giveUp(withinMs = 5_000): Promise<void> {
    this.givenUp = true;
    const memberId = this.memberId;
    if (memberId === null) return; // no JoinGroup sent: no member to take out, and none will be sent now
    const key = clusterFactoryKey(this.kafka);
    if (!key) return;
    const cluster = (this.kafka as unknown as Record<symbol, ClusterFactory>)[key]!({ allowAutoTopicCreation: false });
    let timer: NodeJS.Timeout | undefined;
    const leave = async () => {
      await cluster.connect();
      const coordinator = await cluster.findGroupCoordinator({ groupId: this.groupId });
      await coordinator.leaveGroup({ groupId: this.groupId, memberId });
    };
    try {
      await Promise.race([
        leave(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${withinMs} ms`)), withinMs).unref())),
      ]);
      this.log.info({ memberId }, 'join given up: left the group');
    } catch (err) {
      this.log.warn({ err, memberId }, 'could not leave the group while joining it; waiting for the join to end');
    } finally {
      clearTimeout(timer);
      await cluster.disconnect().catch(() => undefined);
    }
  }
}
