/**
 * Errors as kafkajs hands them on, for the live tests that inject a Kafka-side
 * failure through a wrapped client (a mock of a failure the real broker
 * produces only at moments a test cannot time). kafkajs's own classes,
 * constructed as its code does: the typings omit these constructors'
 * arguments, hence the casts.
 */
import kafkajs from 'kafkajs';

/** The group coordinator not found (kafkajs cluster/index.js), as its retrier passes it on: non-retriable. */
export function groupCoordinatorNotFound(): Error {
  const notFound = new (kafkajs.KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error)('Failed to find group coordinator');
  return nonRetriable(notFound);
}

/**
 * The broker's answer to a fenced transactional producer: INVALID_PRODUCER_EPOCH
 * (kafkajs protocol/error.js, code 47, not retriable), as the retrier passes it on.
 */
export function producerFenced(): Error {
  const epoch = { type: 'INVALID_PRODUCER_EPOCH', code: 47, retriable: false, message: 'Producer attempted an operation with an old epoch' };
  return nonRetriable(new (kafkajs.KafkaJSProtocolError as unknown as new (e: typeof epoch) => Error)(epoch));
}

/** The coordinator's answer to a heartbeat once a rebalance has begun (protocol/error.js, code 27), as the group heartbeat throws it. */
export function rebalanceInProgress(): Error {
  const rebalancing = { type: 'REBALANCE_IN_PROGRESS', code: 27, retriable: false, message: 'The group is rebalancing, so a rejoin is needed' };
  return new (kafkajs.KafkaJSProtocolError as unknown as new (e: typeof rebalancing) => Error)(rebalancing);
}

/** kafkajs's retrier on an error it may not retry (retry/index.js): the cause kept. */
function nonRetriable(cause: Error): Error {
  return new (kafkajs.KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(cause, { cause });
}
