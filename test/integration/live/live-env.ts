/**
 * One isolated live-mode deployment per test: its own five topics, state
 * changelog and consumer group (random names), created with
 * `driftwatch topics create`, and the environment that points engines at
 * them. Also the Kafka-side probes the tests wait on: the group's committed
 * offsets against the topics' end offsets, and the group's members.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterEach, beforeAll } from 'vitest';
import { isolatedDeployment, type IsolatedTopics } from '../../../topics/isolated-deployment.js';
import { deleteTopics, testKafka } from '../kafka/kafka-env.js';
import { assertBuilt, cliInProcess, EngineProcess } from './engine-process.js';
import { freePort } from '../../../lib/free-port.js';

export type LiveTopics = IsolatedTopics;

export interface LiveDeployment {
  id: string;
  groupId: string;
  topics: LiveTopics;
  inputs: string[];
  partitions: number;
  /** Environment shared by every engine of the deployment (instance id and data dir are per engine). */
  env: Record<string, string>;
  /**
   * Starts an engine process. Its data dir is `<tmp>/<instanceId>`: a
   * restart of the same instance finds its embedded store again (as on the
   * same host), another instance gets its own (chDB: one process per dir).
   * `main`: another build's dist/cli/main.js (EngineProcess.start).
   */
  startEngine(instanceId: string, extraEnv?: Record<string, string>, main?: string): Promise<EngineProcess>;
  dataDir(instanceId: string): string;
  /** The embedded store of an instance (query it once its engine has exited). */
  storeDir(instanceId: string): string;
  /** Kills what is still running, deletes the topics and temp dirs. */
  cleanup(kafka: Kafka): Promise<void>;
}

export interface DeploymentOptions {
  partitions?: number;
  /** Extra variables for every engine (e.g. DRIFTWATCH_ALLOWED_LATENESS). */
  env?: Record<string, string>;
}

/**
 * What every live test suite sets up the same way: a Kafka client, the build
 * check, and after each test the deployment it created cleaned up and its
 * engines forgotten. `deploy` creates the test's deployment (see createDeployment);
 * `start` starts an engine of it and adds it to `engines` (whose logs a failure shows).
 */
export function liveSuite(brokers: string[]): {
  kafka: Kafka;
  engines: EngineProcess[];
  deploy: (label: string, options?: DeploymentOptions) => Promise<LiveDeployment>;
  start: (d: LiveDeployment, instanceId: string) => Promise<EngineProcess>;
} {
  const kafka = testKafka(brokers, 'driftwatch-live-test');
  const engines: EngineProcess[] = [];
  let deployment: LiveDeployment | undefined;
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    await deployment?.cleanup(kafka);
    deployment = undefined;
    engines.length = 0;
  });
  return {
    kafka,
    engines,
    deploy: async (label, options) => (deployment = await createDeployment(brokers, label, options)),
    start: async (d, instanceId) => {
      const e = await d.startEngine(instanceId);
      engines.push(e);
      return e;
    },
  };
}

export async function createDeployment(brokers: string[], label: string, options: DeploymentOptions = {}): Promise<LiveDeployment> {
  const partitions = options.partitions ?? 3;
  const { id, topics, inputs, groupId, env: isolated } = isolatedDeployment('dwtest', label, brokers, partitions);
  const env: Record<string, string> = {
    ...isolated,
    // Small timeouts keep the tests short: idle partitions stop holding event time after 1 s, commits every 200 ms.
    DRIFTWATCH_IDLE_TIMEOUT: '1s',
    DRIFTWATCH_COMMIT_INTERVAL: '200ms',
    DRIFTWATCH_METRICS_PORT: '0',
    DRIFTWATCH_STORE_FLUSH_INTERVAL: '200ms',
    DRIFTWATCH_METRICS_STORE_INTERVAL: '500ms',
    ...options.env,
  };
  await cliInProcess(['topics', 'create'], env);
  const root = mkdtempSync(join(tmpdir(), `dw-live-${label}-`));
  const engines: EngineProcess[] = [];
  let n = 0;
  return {
    id,
    groupId,
    topics,
    inputs,
    partitions,
    env,
    async startEngine(instanceId, extraEnv = {}, main) {
      // A port of its own for /metrics (tests read counters such as late events from it).
      const port = String(await freePort());
      const engine = EngineProcess.start(`${instanceId}#${++n}`, {
        ...env,
        DRIFTWATCH_INSTANCE_ID: instanceId,
        DRIFTWATCH_DATA_DIR: join(root, instanceId),
        DRIFTWATCH_METRICS_PORT: port,
        ...extraEnv,
      }, main);
      engines.push(engine);
      return engine;
    },
    dataDir(instanceId) {
      return join(root, instanceId);
    },
    storeDir(instanceId) {
      return join(root, instanceId, 'store');
    },
    async cleanup(kafka) {
      await Promise.all(engines.map((e) => e.kill()));
      await deleteTopics(kafka, [...Object.values(topics)]);
      // The engine group and its changelog readers' throwaway groups: an engine stopped gracefully deleted its
      // reader's own, a killed one could not. Best effort: a killed member stays in its group until its session
      // times out (the broker then drops the empty group at its next offsets cleanup).
      const admin = kafka.admin();
      await admin
        .connect()
        .then(async () => {
          const readers = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${groupId}.changelog-reader.`));
          await admin.deleteGroups([groupId, ...readers]);
        })
        .catch(() => undefined);
      await admin.disconnect();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface OffsetGap {
  topic: string;
  partition: number;
  committed: number;
  end: number;
}

/** Per input partition: the group's committed offset (−1 = none) and the end offset. */
export async function offsetGaps(kafka: Kafka, groupId: string, topics: string[]): Promise<OffsetGap[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const gaps: OffsetGap[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const c = committed.find((t) => t.topic === topic)?.partitions ?? [];
      for (const e of ends) {
        gaps.push({ topic, partition: e.partition, committed: Number(c.find((p) => p.partition === e.partition)?.offset ?? -1), end: Number(e.high) });
      }
    }
    return gaps;
  } finally {
    await admin.disconnect();
  }
}

/** Records of `topics` the group has committed past (sum over partitions). */
export async function committedCount(kafka: Kafka, groupId: string, topics: string[]): Promise<number> {
  return (await offsetGaps(kafka, groupId, topics)).reduce((n, g) => n + Math.max(0, g.committed), 0);
}

/**
 * Waits until the group has committed every input record except `held`
 * records per partition (the far-future ticks: never released, so never
 * committed past). Committed offsets travel in the same transaction as the
 * alerts and state derived from them, so afterwards the alert topic is final.
 */
export async function waitCommitted(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  held: Map<string, number>,
  options: { timeoutMs?: number; engines?: EngineProcess[] } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const deadline = Date.now() + timeoutMs;
  let gaps: OffsetGap[] = [];
  for (;;) {
    gaps = await offsetGaps(kafka, groupId, topics);
    const behind = gaps.filter((g) => g.end > 0 && g.committed < g.end - (held.get(`${g.topic}#${g.partition}`) ?? 0));
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      const context = (options.engines ?? []).map((e) => e.describe()).join('\n');
      throw new Error(`group ${groupId} did not commit to the end within ${timeoutMs} ms: ${JSON.stringify(behind)}\n${context}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Members of the group right now (empty once every member has left). */
export async function groupMembers(kafka: Kafka, groupId: string): Promise<{ state: string; members: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0]!;
    return { state: g.state, members: g.members.map((m) => m.clientId + '/' + m.memberId) };
  } finally {
    await admin.disconnect();
  }
}

/** Polls `probe` until it returns a value that is not undefined; fails after `timeoutMs` with `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number; engines?: EngineProcess[] } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${(options.engines ?? []).map((e) => e.describe()).join('\n')}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 150));
  }
}
