/**
 * Which authentication or authorization failure an error is, if any, for
 * the security audit of live mode (live-audit.ts): a broker refusing the
 * SASL login or an operation (ACL), the schema registry answering 401/403,
 * ClickHouse refusing the login or a privilege. Looks through the wrappers
 * (driftwatch's KafkaError/StoreError, kafkajs' retrier) to the cause.
 */
import { isSaslAuthenticationFailure, kafkaAuthorizationFailure } from '../../topics/kafka-client.js';
import { isRegistryRefusal, registryStatus } from '../../schemas/registry/registry-errors.js';
import { storeAccessRefusal } from '../../store/server-errors.js';
import { causeChain } from '../../lib/errors.js';

export type RefusingService = 'kafka' | 'schema-registry' | 'store';

export interface AuthFailure {
  service: RefusingService;
  /** 401, a refused SASL login or ClickHouse login: authentication; 403, an ACL, a missing privilege: authorization. */
  kind: 'authentication' | 'authorization';
  /** What identifies the refusal without its text: the kafkajs error name or protocol error type, the HTTP status. */
  facts: Record<string, unknown>;
}

export function authFailureOf(err: unknown): AuthFailure | undefined {
  if (isSaslAuthenticationFailure(err)) return { service: 'kafka', kind: 'authentication', facts: { error: 'KafkaJSSASLAuthenticationError' } };
  const denied = kafkaAuthorizationFailure(err);
  if (denied !== undefined) return { service: 'kafka', kind: 'authorization', facts: { type: denied } };
  const refused = causeChain(err).find((e) => isRegistryRefusal(e));
  if (refused !== undefined) {
    const status = registryStatus(refused);
    return { service: 'schema-registry', kind: status === 401 ? 'authentication' : 'authorization', facts: { status } };
  }
  const store = storeAccessRefusal(err);
  if (store !== undefined) return { service: 'store', kind: store, facts: {} };
  return undefined;
}

/** The message of the error the refusal came from (the innermost that names it), for the record's `message`. */
export function refusalMessage(err: unknown, failure: AuthFailure): string {
  const chain = causeChain(err);
  const source =
    failure.service === 'kafka'
      ? chain.find((e) => (failure.facts.error !== undefined && e.name === failure.facts.error) || (failure.facts.type !== undefined && e.type === failure.facts.type))
      : failure.service === 'schema-registry'
        ? chain.find((e) => isRegistryRefusal(e))
        : chain.find((e) => storeAccessRefusal(e) !== undefined);
  const message = (source ?? chain[0])?.message;
  return typeof message === 'string' ? message : String(err);
}
