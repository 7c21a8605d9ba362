/** Public API of Avro-on-the-wire support: schema registry client, decoder, alert encoder, registration. */
export { createRegistryClient, avroConfluentSchema } from './registry-client.js';
export type { AvroRegistry, RegistryClientOptions } from './registry-client.js';
export { createRegistryDecoder } from './registry-decoder.js';
export type { RegistryDecoder, RegistryDecoderOptions } from './registry-decoder.js';
export type { UnknownSchemaIdsOptions } from './unknown-schema-ids.js';
export { createAvroAlertEncoder, jsonAlertEncoder, encodeAlertMessage, alertAvroSchema } from './alert-encoder.js';
export type { AlertEncoder, AvroAlertEncoderOptions } from './alert-encoder.js';
export { RegistryAdmin, compatibilityLevels } from './registry-admin.js';
export { registryEndpoint, redactCredentials, basicAuthorization } from './registry-endpoint.js';
export type { RegistryEndpoint, RegistryAuth } from './registry-endpoint.js';
export type { CompatibilityLevel, RegisteredVersion, RegistryAdminOptions } from './registry-admin.js';
export { driftwatchSubjects, registerSubject, formatRegistrationReport } from './register-schemas.js';
export type { SubjectSpec, RegistrationReport } from './register-schemas.js';
export { RegistryRetry, abortableSleep } from './registry-retry.js';
export type { RetryOptions, RetryStats } from './registry-retry.js';
export { SchemaRegistryError, SchemaIncompatibleError, isTransientRegistryError, registryMessage, registryStatus } from './registry-errors.js';
export { isConfluentWireFormat, schemaIdOf, toWireFormat, MAGIC_BYTE, HEADER_BYTES } from './wire-format.js';
export { plainFromAvro } from './plain-value.js';
