/**
 * The schema-registry client used for Avro on the wire:
 * `@kafkajs/confluent-schema-registry`, which caches schemas by id (one
 * request per schema id for the life of the process, concurrent misses
 * share it) and decodes/encodes through avsc.
 *
 * `AvroRegistry` is the slice of it the decoder and the alert encoder use, so
 * unit tests can stand in a fake.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { registryEndpoint } from './registry-endpoint.js';

export type AvroRegistry = Pick<SchemaRegistry, 'decode' | 'getSchema' | 'getRegistryIdBySchema'>;

export interface RegistryClientOptions {
  /** User-Agent comment, e.g. the Kafka client id. */
  clientId?: string;
}

/**
 * The library's own retry middleware only retries 5xx answers, a few times
 * within seconds; outages are waited out by RegistryRetry on top. The values
 * are the library defaults, passed in full on purpose: the library merges a
 * partial `retry` into its shared defaults object, which would change them
 * for every other client in the process.
 */
const LIBRARY_RETRY = { maxRetryTimeInSecs: 5, initialRetryTimeInSecs: 0.1, factor: 0.2, multiplier: 2, retries: 3 };

/**
 * A client for a Confluent-compatible registry, e.g. http://127.0.0.1:8081/apis/ccompat/v7 (Apicurio).
 * Credentials in `url` (`user:password@`) go to the library's `auth` option
 * (basic auth) and the host it is given has none, so no URL the library
 * might put into an error or a log line carries the password.
 */
export function createRegistryClient(url: string, options: RegistryClientOptions = {}): SchemaRegistry {
  const { baseUrl, auth } = registryEndpoint(url);
  return new SchemaRegistry({ host: baseUrl, auth, clientId: options.clientId, retry: { ...LIBRARY_RETRY } });
}

/** An Avro schema as the library's register/look-up calls take it. */
export function avroConfluentSchema(schema: unknown): { type: SchemaType.AVRO; schema: string } {
  return { type: SchemaType.AVRO, schema: JSON.stringify(schema) };
}
