/**
 * Encoding alert events for the alerts topic: JSON (the default) or Avro in
 * the Confluent wire format when DRIFTWATCH_ALERT_FORMAT=avro.
 *
 * The Avro encoder writes with the engine's own alert schema
 * (schemas/avro-schemas.ts) and the id the registry gave that exact schema
 * under `<alerts topic>-value`; it never registers anything itself
 * (`driftwatch schemas register` does, under the subject's compatibility
 * rule), so a schema change cannot slip into production through the engine.
 *
 * `ready()` does the one registry round trip (waiting out outages) at
 * start-up; after that `encode` is synchronous, so alert messages can be
 * built inside the synchronous fact stream exactly like JSON ones.
 */
import type { Message } from 'kafkajs';
import type { AlertEvent } from '../alert-event.js';
import type { Logger } from '../../lib/logger.js';
import { avroSchemas } from '../avro-schemas.js';
import { alertMessage } from '../../engine/live/output-messages.js';
import { avroConfluentSchema, type AvroRegistry } from './registry-client.js';
import { registryMessage, registryStatus, SchemaRegistryError } from './registry-errors.js';
import { RegistryRetry, type RetryOptions } from './registry-retry.js';
import { toWireFormat } from './wire-format.js';

export interface AlertEncoder {
  readonly format: 'json' | 'avro';
  /** Value of the message's content-type header. */
  readonly contentType: string;
  /** Avro: looks up the schema id once (waits while the registry is unreachable). JSON: nothing to do. */
  ready(): Promise<void>;
  /** Synchronous. Avro: throws until ready() has resolved. */
  encode(alert: AlertEvent): Buffer | string;
}

export const jsonAlertEncoder: AlertEncoder = {
  format: 'json',
  contentType: 'application/json',
  ready: async () => undefined,
  encode: (alert) => JSON.stringify(alert),
};

/** The Avro schema of alert events, as generated into schemas/avro/alert-event.avsc. */
export function alertAvroSchema(): unknown {
  return avroSchemas()['alert-event'];
}

export interface AvroAlertEncoderOptions {
  registry: AvroRegistry;
  /** `<alerts topic>-value`, e.g. driftwatch.alerts.v1-value. */
  subject: string;
  logger?: Logger;
  retry?: Omit<RetryOptions, 'logger' | 'what'>;
}

type Writer = { id: number; toBuffer(value: object): Buffer; isValid(value: object, opts: { errorHook: (path: string[]) => void }): boolean };

export function createAvroAlertEncoder(options: AvroAlertEncoderOptions): AlertEncoder & { readonly schemaId: number | null } {
  const { registry, subject } = options;
  const retry = new RegistryRetry({ ...options.retry, logger: options.logger?.child({ component: 'alert-encoder' }), what: 'alert schema look-up' });
  let writer: Writer | null = null;
  let preparing: Promise<void> | null = null;

  async function lookUp(): Promise<void> {
    let id: number;
    try {
      id = await retry.run(() => registry.getRegistryIdBySchema(subject, avroConfluentSchema(alertAvroSchema())));
    } catch (err) {
      const notRegistered = registryStatus(err) === 404 || /not found|does not match|no artifact/i.test(registryMessage(err));
      throw new SchemaRegistryError(
        notRegistered
          ? `the alert schema is not registered under subject ${subject}; run \`driftwatch schemas register\` first (${registryMessage(err)})`
          : `could not look up the alert schema under subject ${subject}: ${registryMessage(err)}`,
        { cause: err, canRetry: !notRegistered },
      );
    }
    const schema = (await retry.run(() => registry.getSchema(id))) as unknown as Omit<Writer, 'id'>;
    writer = { id, toBuffer: (v) => schema.toBuffer(v), isValid: (v, o) => schema.isValid(v, o) };
  }

  return {
    format: 'avro',
    contentType: 'avro/binary',
    get schemaId() {
      return writer?.id ?? null;
    },
    ready() {
      preparing ??= lookUp().catch((err: unknown) => {
        preparing = null; // try again on the next call (e.g. after `schemas register`)
        throw err;
      });
      return preparing;
    },
    encode(alert) {
      if (!writer) throw new SchemaRegistryError(`the Avro alert encoder for ${subject} is not ready: await ready() at start-up`);
      try {
        // Optional fields left undefined are written as the schema's default (null).
        return toWireFormat(writer.id, writer.toBuffer(alert));
      } catch (err) {
        const paths: string[] = [];
        writer.isValid(alert, { errorHook: (path) => paths.push(path.join('.')) });
        throw new SchemaRegistryError(
          `alert ${alert.alertId} does not fit the registered alert schema (${subject}, id ${writer.id})${paths.length ? ` at ${paths.join(', ')}` : ''}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
  };
}

/** The alerts-topic message for `alert` (key and headers as alertMessage) with the encoder's value and content-type. */
export function encodeAlertMessage(alert: AlertEvent, encoder: AlertEncoder, firstFiring: boolean): Message {
  const message = alertMessage(alert, firstFiring);
  return { ...message, value: encoder.encode(alert), headers: { ...message.headers, 'content-type': encoder.contentType } };
}
