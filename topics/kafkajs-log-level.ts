/**
 * The pino level of a kafkajs log entry.
 *
 * kafkajs logs every error response of the broker at ERROR from its
 * `Connection` ("Response Heartbeat(key: 12, version: 3)", with the protocol
 * error's message) before its caller handles it. Most are handled: a
 * retriable error is retried, and REBALANCE_IN_PROGRESS and its kin make the
 * consumer rejoin — one ordinary scale-out of a group logged some twenty ERROR
 * lines per member, which pages whoever alerts on error logs. What kafkajs
 * cannot handle reaches the engine as an exception, which it logs with its
 * own context. So these responses are logged lower: the group-protocol steps
 * of a normal rebalance at debug (kafkajs' runner says "re-joining" once, as
 * a warning), other retriable errors at warn (a leader election, a
 * coordinator moving: worth seeing, nothing to do). Other error responses
 * (authorization, fencing, …) stay errors.
 *
 * The producer logs such an error a second time, at ERROR too, as "Failed to
 * send messages: <the error's message>", before it retries the send
 * (kafkajs sendMessages.js). The engine commits back to back, and a
 * transaction begun right after the previous commit has its first
 * AddPartitionsToTxn refused with CONCURRENT_TRANSACTIONS until the
 * coordinator has written that commit's markers — a few ms, every so often
 * (the engine issues one transactional operation at a time: it is the
 * broker's transient, KAFKA-5477, not an overlap). That line is a warning
 * like the response's, for any retriable protocol error; a send kafkajs
 * gives up on reaches the engine, which logs the commit's failure. Connection
 * failures it retries stay errors (a broker that is away).
 *
 * kafkajs also warns "Limiting retries for the idempotent producer may
 * invalidate EoS guarantees" for any idempotent producer with a retry limit.
 * The engine's exactly-once rests on transactions: a send that fails after
 * its retries aborts the transaction, and read_committed consumers never see
 * what it wrote, so the warning does not apply (engine/live/transaction.ts);
 * the demo producer's records carry eventIds, deduplicated by the engine.
 * It is logged at debug.
 *
 * Right after creating a topic, its metadata has not reached every broker (a
 * KRaft broker publishes it a moment later): the metadata requests of the wait
 * for the new topics (topic-admin.ts createTopicsAndWait) get "This server does
 * not host this topic-partition" or "no leader", which that wait expects and
 * retries. Within whileAwaitingNewTopics those two are logged at debug, so a
 * clean `topics create` shows no warning; anywhere else they stay warnings.
 *
 * A consumer whose join a stop during start-up gave up (engine/live/pending-join.ts) is refused its next join, and
 * kafkajs logs its end as "Crash: …" at ERROR: it is the stop asked for, logged at info.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import kafkajs, { type LogEntry } from 'kafkajs';
import { JOIN_GIVEN_UP } from '../lib/errors.js';

export type PinoMethod = 'error' | 'warn' | 'info' | 'debug';

interface ProtocolErrorCode {
  type: string;
  retriable: boolean;
  message: string;
}

// kafkajs 2.2.4 (pinned in package.json, its last release) does not export its
// table of protocol errors from the package root; this is the table it throws from.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: ProtocolErrorCode[] };

/** Steps of a normal rebalance: kafkajs rejoins the group on each. */
const REJOIN_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'MEMBER_ID_REQUIRED']);

const handledResponseErrors = new Map<string, PinoMethod>();
for (const code of errorCodes) {
  if (REJOIN_TYPES.has(code.type)) handledResponseErrors.set(code.message, 'debug');
  else if (code.retriable) handledResponseErrors.set(code.message, 'warn');
}

/** What the producer logs before retrying a send (sendMessages.js), followed by the error's message. */
const RETRIED_SEND_PREFIX = 'Failed to send messages: ';
const retriableErrors = new Set(errorCodes.filter((c) => c.retriable).map((c) => c.message));

/** What a new topic's metadata answers until it has propagated (createTopicsAndWait retries exactly these). */
const NEW_TOPIC_PENDING_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
const newTopicPendingErrors = new Set(errorCodes.filter((c) => NEW_TOPIC_PENDING_TYPES.has(c.type)).map((c) => c.message));

/** Set while new topics' metadata is awaited: kafkajs logs a response in the async context of the request. */
const awaitingNewTopics = new AsyncLocalStorage<true>();

/** Runs `wait` (a wait for just-created topics' metadata) with their "not there yet" responses logged at debug. */
export function whileAwaitingNewTopics<T>(wait: () => Promise<T>): Promise<T> {
  return awaitingNewTopics.run(true, wait);
}

const IDEMPOTENT_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

const { logLevel } = kafkajs;

/** kafkajs' own level → pino method (kafkajs INFO is group membership chatter, so it stays at info). */
function byKafkaLevel(level: kafkajs.logLevel): PinoMethod {
  switch (level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

/** Where a kafkajs log entry goes in pino (see the module comment for what is lowered and why). */
export function kafkajsLogMethod({ namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>): PinoMethod {
  const method = byKafkaLevel(level);
  if (method === 'error' && namespace === 'Connection' && log.message.startsWith('Response ')) {
    const error = (log as { error?: unknown }).error;
    if (typeof error === 'string' && newTopicPendingErrors.has(error) && awaitingNewTopics.getStore()) return 'debug';
    return (typeof error === 'string' && handledResponseErrors.get(error)) || method;
  }
  if (method === 'error' && namespace === 'Producer' && log.message.startsWith(RETRIED_SEND_PREFIX) && retriableErrors.has(log.message.slice(RETRIED_SEND_PREFIX.length))) {
    return 'warn';
  }
  if (method === 'warn' && namespace === 'Producer' && log.message === IDEMPOTENT_RETRIES_WARNING) return 'debug';
  if (method === 'error' && namespace === 'Consumer' && log.message.startsWith('Crash: ') && log.message.endsWith(JOIN_GIVEN_UP)) return 'info';
  return method;
}
