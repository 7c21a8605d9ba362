import { describe, expect, it } from 'vitest';
import kafkajs, { type LogEntry } from 'kafkajs';
import { createLogger } from '../../../lib/logger.js';
import { pinoLogCreator } from '../../../topics/kafka-client.js';
import { whileAwaitingNewTopics } from '../../../topics/kafkajs-log-level.js';
import { JOIN_GIVEN_UP } from '../../../lib/errors.js';

const { logLevel } = kafkajs;

/** Log lines as pino writes them, through the logCreator the engine gives kafkajs. */
function kafkajsLogger(level: string): { log: (entry: Omit<LogEntry, 'label'>) => void; lines: Array<Record<string, unknown>>; raw: string[] } {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (l: string) => void raw.push(l) } }).child({ demoId: 'd1' });
  const write = pinoLogCreator(logger)(logLevel.DEBUG);
  return {
    log: (entry) => write({ label: '', ...entry }),
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    raw,
  };
}

const response = (api: string, error: string): Omit<LogEntry, 'label'> => ({
  namespace: 'Connection',
  level: logLevel.ERROR,
  log: { timestamp: '', message: `Response ${api}`, error, correlationId: 9, size: 108 } as LogEntry['log'],
});

describe('kafkajs log lines in pino', () => {
  it('logs the heartbeat responses of an ordinary rebalance at debug, not as errors', () => {
    const k = kafkajsLogger('debug');
    k.log(response('Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'));
    k.log(response('JoinGroup(key: 11, version: 5)', 'The group member needs to have a valid member id before actually entering a consumer group'));
    expect(k.lines.map((l) => l.level)).toEqual([20, 20]);
    // At the default level they are not written at all.
    const quiet = kafkajsLogger('info');
    quiet.log(response('Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'));
    expect(quiet.raw).toEqual([]);
  });

  it('logs a retriable error response (kafkajs retries it) as a warning', () => {
    const k = kafkajsLogger('info');
    k.log(response('Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'));
    k.log(response('AddOffsetsToTxn(key: 25, version: 1)', 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing'));
    expect(k.lines.map((l) => [l.level, l.error])).toEqual([
      [40, 'This server does not host this topic-partition'],
      [40, 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing'],
    ]);
  });

  it('logs a send kafkajs retries after a retriable error response as a warning, and a send it gives up on as an error', () => {
    // sendMessages.js: a transaction begun right after the previous commit gets CONCURRENT_TRANSACTIONS from the
    // coordinator until that commit's markers are written; kafkajs logs "Failed to send messages: …" and retries.
    const k = kafkajsLogger('info');
    const producer = (message: string) => k.log({ namespace: 'Producer', level: logLevel.ERROR, log: { timestamp: '', message, retryCount: 0, retryTime: 22 } as LogEntry['log'] });
    producer('Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing');
    producer('Failed to send messages: There is no leader for this topic-partition as we are in the middle of a leadership election');
    // Not a retriable protocol error (a connection lost: the outage shows as the engine's own errors), or not retried.
    producer('Failed to send messages: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    producer('Not authorized to access topics: [Topic authorization failed]');
    expect(k.lines.map((l) => l.level)).toEqual([40, 40, 50, 50]);
  });

  it('logs "does not host this topic-partition" at debug while new topics\' metadata is awaited, and only then', async () => {
    const k = kafkajsLogger('debug');
    const unknownTopic = response('Metadata(key: 3, version: 6)', 'This server does not host this topic-partition');
    const noLeader = response('Metadata(key: 3, version: 6)', 'There is no leader for this topic-partition as we are in the middle of a leadership election');
    const otherRetriable = response('AddOffsetsToTxn(key: 25, version: 1)', 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing');
    await whileAwaitingNewTopics(async () => {
      // kafkajs logs the response after awaiting it: the wait's context must carry across.
      await new Promise((r) => setTimeout(r, 1));
      k.log(unknownTopic);
      k.log(noLeader);
      k.log(otherRetriable);
    });
    k.log(unknownTopic);
    expect(k.lines.map((l) => l.level)).toEqual([20, 20, 40, 40]);
  });

  it('keeps other error responses and errors of other namespaces at error', () => {
    const k = kafkajsLogger('info');
    k.log(response('Produce(key: 0, version: 7)', 'Not authorized to access topics: [Topic authorization failed]'));
    k.log(response('Produce(key: 0, version: 7)', 'some message kafkajs does not know'));
    k.log({ namespace: 'Consumer', level: logLevel.ERROR, log: { timestamp: '', message: 'Crash: KafkaJSNumberOfRetriesExceeded' } as LogEntry['log'] });
    expect(k.lines.map((l) => l.level)).toEqual([50, 50, 50]);
  });

  it("lowers kafkajs' idempotent-producer retry warning (exactly-once rests on transactions) and no other warning", () => {
    const k = kafkajsLogger('info');
    const warn = (namespace: string, message: string) => k.log({ namespace, level: logLevel.WARN, log: { timestamp: '', message } as LogEntry['log'] });
    warn('Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    warn('Runner', 'The group is rebalancing, re-joining');
    expect(k.lines.map((l) => [l.level, l.msg])).toEqual([[40, 'The group is rebalancing, re-joining']]);
  });

  it('writes an Error kafkajs gives as the message (BrokerPool, a refused SASL login) as its text, not as an object', () => {
    // brokerPool.js: `this.logger.error(e, { retryCount, retryTime, stack: e.stack })` — msg was {"name":…,"retriable":false}.
    const k = kafkajsLogger('info');
    // kafkajs' typings give this class no constructor arguments; the class takes a message like every KafkaJSError.
    const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    const err = new SaslError('SASL SCRAM SHA512 authentication failed: invalid credentials');
    k.log({ namespace: 'BrokerPool', level: logLevel.ERROR, log: { timestamp: '', message: err, retryCount: 0, retryTime: 300, stack: err.stack } as unknown as LogEntry['log'] });
    expect(k.lines[0]).toMatchObject({
      level: 50,
      namespace: 'BrokerPool',
      msg: 'SASL SCRAM SHA512 authentication failed: invalid credentials',
      error: 'KafkaJSSASLAuthenticationError',
      retryCount: 0,
    });
  });

  it('names each line component: kafkajs once, with the bindings of the logger it was given', () => {
    const k = kafkajsLogger('info');
    k.log({ namespace: 'Consumer', level: logLevel.INFO, log: { timestamp: '', message: 'Starting', groupId: 'g' } as LogEntry['log'] });
    expect(k.raw[0].match(/"component":/g)).toHaveLength(1);
    expect(k.lines[0]).toMatchObject({ level: 30, component: 'kafkajs', demoId: 'd1', namespace: 'Consumer', groupId: 'g', msg: 'Starting' });
  });

  it("logs the end of a consumer whose join a stop during start-up gave up at info; any other crash stays an error", () => {
    const k = kafkajsLogger('info');
    const crash = (message: string): Omit<LogEntry, 'label'> => ({ namespace: 'Consumer', level: logLevel.ERROR, log: { timestamp: '', message } as LogEntry['log'] });
    // As kafkajs words it: the error itself, or wrapped by its retrier (pending-join.ts).
    k.log(crash(`Crash: StopRequestedError: ${JOIN_GIVEN_UP}`));
    k.log(crash(`Crash: KafkaJSNonRetriableError: ${JOIN_GIVEN_UP}`));
    k.log(crash('Crash: KafkaJSNonRetriableError: Not authorized to access group'));
    expect(k.lines.map((l) => [l.level, l.msg])).toEqual([
      [30, `Crash: StopRequestedError: ${JOIN_GIVEN_UP}`],
      [30, `Crash: KafkaJSNonRetriableError: ${JOIN_GIVEN_UP}`],
      [50, 'Crash: KafkaJSNonRetriableError: Not authorized to access group'],
    ]);
  });
});

