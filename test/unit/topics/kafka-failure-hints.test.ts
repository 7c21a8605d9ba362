/**
 * What a Kafka failure tells the operator to check: a refused SASL login
 * names the credentials' options, a refused certificate KAFKA_SSL_CA_FILE —
 * also when kafkajs gave up retrying and wraps the cause.
 */
import { describe, it, expect } from 'vitest';
import kafkajs from 'kafkajs';
import { kafkaFailure } from '../../../topics/kafka-client.js';

const brokers = ['127.0.0.1:9094'];
// kafkajs' types declare no constructor arguments; at run time it takes the message like its other errors.
const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

describe('kafkaFailure hints', () => {
  it('a refused SASL login names the user, password and mechanism options', () => {
    const err = new SaslError('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
    const e = kafkaFailure('topics create', brokers, err);
    expect(e.message).toMatch(/^topics create failed against KAFKA_BROKERS=127\.0\.0\.1:9094: SASL SCRAM SHA512 authentication failed/);
    expect(e.message).toMatch(/the broker refused the SASL login: check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM\)$/);
  });

  it('a refused certificate, wrapped by kafkajs\' retries, points at KAFKA_SSL_CA_FILE', () => {
    const tls = new kafkajs.KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' } as never);
    const gaveUp = new kafkajs.KafkaJSNumberOfRetriesExceeded(tls, { retryCount: 5, retryTime: 3000 });
    expect(kafkaFailure('topics create', brokers, gaveUp).message).toMatch(
      /the broker's TLS certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN\): set KAFKA_SSL_CA_FILE to the CA that signed it\)$/,
    );
  });

  it('anything else asks whether the broker is reachable with the TLS and SASL set here', () => {
    const refused = new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9094', { code: 'ECONNREFUSED' } as never);
    expect(kafkaFailure('topics create', brokers, refused).message).toMatch(/\(is the broker reachable, and does its listener expect the TLS \(KAFKA_SSL\) and SASL \(KAFKA_SASL_MECHANISM\) set here\?\)$/);
  });
});
