import { describe, it, expect } from 'vitest';
import {
  SchemaIncompatibleError,
  SchemaRegistryError,
  isTransientRegistryError,
  registryMessage,
} from '../../../schemas/registry/registry-errors.js';

/** How @kafkajs/confluent-schema-registry (mappersmith) reports failures: an Error with `status`. */
const responseError = (status: number, message: string) => Object.assign(new Error(`Confluent_Schema_Registry - ${message}`), { status });

describe('isTransientRegistryError', () => {
  it('treats a missing connection as transient (the library reports it as status 400 with the Node code)', () => {
    expect(isTransientRegistryError(responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'))).toBe(true);
    expect(isTransientRegistryError(responseError(400, 'Error, status 400: socket hang up'))).toBe(true);
    expect(isTransientRegistryError(responseError(400, 'Error, status 400: getaddrinfo ENOTFOUND registry'))).toBe(true);
    expect(isTransientRegistryError(responseError(400, 'Error, status 400: Timeout (10000ms)'))).toBe(true);
  });

  it('treats 5xx, 408 and 429 as transient and other answers as final', () => {
    expect(isTransientRegistryError(responseError(503, 'unavailable'))).toBe(true);
    expect(isTransientRegistryError(responseError(500, 'Error in the backend data store'))).toBe(true);
    expect(isTransientRegistryError(responseError(429, 'slow down'))).toBe(true);
    expect(isTransientRegistryError(responseError(408, 'timeout'))).toBe(true);
    expect(isTransientRegistryError(responseError(404, "No content with ID '9' was found."))).toBe(false);
    expect(isTransientRegistryError(responseError(409, 'incompatible'))).toBe(false);
    expect(isTransientRegistryError(responseError(400, 'Error, status 400: bad request'))).toBe(false);
  });

  it('looks at Node error codes, including in the cause of a fetch failure', () => {
    expect(isTransientRegistryError(Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientRegistryError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe(true);
  });

  it('treats decoding failures as final (the record is bad, not the registry)', () => {
    expect(isTransientRegistryError(new Error('truncated buffer'))).toBe(false);
    expect(isTransientRegistryError(new Error('invalid union index: 7'))).toBe(false);
  });

  it('follows canRetry of driftwatch errors', () => {
    expect(isTransientRegistryError(new SchemaRegistryError('down', { canRetry: true }))).toBe(true);
    expect(isTransientRegistryError(new SchemaRegistryError('bad'))).toBe(false);
    expect(isTransientRegistryError(new SchemaIncompatibleError('s-value', 'refused'))).toBe(false);
  });
});

describe('registry errors', () => {
  it('each class carries its own code', () => {
    expect(new SchemaRegistryError('x').code).toBe('DW_SCHEMA_REGISTRY_FAILED');
    expect(SchemaRegistryError.code).toBe('DW_SCHEMA_REGISTRY_FAILED');
    const incompatible = new SchemaIncompatibleError('topic-value', 'refused');
    expect(incompatible.code).toBe('DW_SCHEMA_INCOMPATIBLE');
    expect(incompatible.subject).toBe('topic-value');
    expect(incompatible).toBeInstanceOf(SchemaRegistryError);
    expect(incompatible.toJSON()).toMatchObject({ name: 'SchemaIncompatibleError', code: 'DW_SCHEMA_INCOMPATIBLE', canRetry: false });
  });

  it('registryMessage drops the library client prefix', () => {
    expect(registryMessage(responseError(404, 'Subject not found'))).toBe('Subject not found');
    expect(registryMessage('plain')).toBe('plain');
  });
});
