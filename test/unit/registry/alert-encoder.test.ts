import { describe, it, expect } from 'vitest';
import { alertAvroSchema, createAvroAlertEncoder, encodeAlertMessage, jsonAlertEncoder } from '../../../schemas/registry/alert-encoder.js';
import type { AvroRegistry } from '../../../schemas/registry/registry-client.js';
import { SchemaRegistryError } from '../../../schemas/registry/registry-errors.js';
import { schemaIdOf } from '../../../schemas/registry/wire-format.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';

const alert: AlertEvent = {
  alertId: 'alert-1',
  fingerprint: 'fp-1',
  rule: 'drift_detected',
  status: 'firing',
  severity: 'high',
  escalationLevel: 1,
  labels: { env: 'prod', artifact: 'api' },
  annotations: { summary: 'drift', description: 'prod/api drifted' },
  startsAt: '2026-11-27T10:13:00.000Z',
  incidentId: 'inc-1',
  emittedAt: '2026-11-27T10:13:01.000Z',
};

/** A stand-in registry whose "Avro" body is JSON; the alert schema is registered (id 7) unless `missing`. */
function fakeRegistry(options: { missing?: boolean } = {}) {
  const calls: string[] = [];
  const state = { missing: options.missing ?? false };
  const registry = {
    async getRegistryIdBySchema(subject: string, schema: { type: string; schema: string }) {
      calls.push(`lookup ${subject} ${schema.type}`);
      expect(JSON.parse(schema.schema)).toEqual(alertAvroSchema());
      if (state.missing) throw new Error('Confluent_Schema_Registry - The given schema does not match any schema under the subject x');
      return 7;
    },
    async getSchema(id: number) {
      calls.push(`schema ${id}`);
      return {
        toBuffer: (v: Record<string, unknown>) => {
          if (typeof v.rule !== 'string') throw new Error('invalid "string": undefined');
          return Buffer.from(JSON.stringify(v));
        },
        isValid: (v: Record<string, unknown>, o: { errorHook: (p: string[]) => void }) => {
          if (typeof v.rule !== 'string') o.errorHook(['rule']);
          return typeof v.rule === 'string';
        },
      };
    },
    decode: async () => ({}),
  } as unknown as AvroRegistry;
  return { registry, calls, state };
}

describe('alert encoders', () => {
  it('JSON: the alert as JSON text, content-type application/json', async () => {
    await jsonAlertEncoder.ready();
    expect(jsonAlertEncoder.encode(alert)).toBe(JSON.stringify(alert));
    expect(encodeAlertMessage(alert, jsonAlertEncoder, true).headers).toMatchObject({ 'content-type': 'application/json' });
  });

  it('Avro: looks the schema id up once, then encodes synchronously in the Confluent wire format', async () => {
    const { registry, calls } = fakeRegistry();
    const encoder = createAvroAlertEncoder({ registry, subject: 'driftwatch.alerts.v1-value' });
    expect(() => encoder.encode(alert)).toThrow(/not ready: await ready\(\)/);
    await encoder.ready();
    await encoder.ready();
    const first = encoder.encode(alert) as Buffer;
    encoder.encode({ ...alert, alertId: 'alert-2' });
    expect(calls).toEqual(['lookup driftwatch.alerts.v1-value AVRO', 'schema 7']);
    expect(encoder.schemaId).toBe(7);
    expect(first[0]).toBe(0);
    expect(schemaIdOf(first)).toBe(7);
    expect(JSON.parse(first.subarray(5).toString())).toEqual(alert);
  });

  it('Avro: the message keeps key and headers of the JSON one, with content-type avro/binary', async () => {
    const { registry } = fakeRegistry();
    const encoder = createAvroAlertEncoder({ registry, subject: 'a-value' });
    await encoder.ready();
    const message = encodeAlertMessage(alert, encoder, true);
    expect(message.key).toBe('fp-1');
    expect(message.headers).toEqual({
      'dw-rule': 'drift_detected',
      'dw-status': 'firing',
      'dw-severity': 'high',
      'dw-escalation-level': '1',
      'dw-starts-at': '2026-11-27T10:13:00.000Z',
      'dw-first-firing': 'true',
      'content-type': 'avro/binary',
    });
    expect(Buffer.isBuffer(message.value)).toBe(true);
  });

  it('Avro: an unregistered alert schema says to run `schemas register`, and ready() looks again next time', async () => {
    const { registry, calls, state } = fakeRegistry({ missing: true });
    const encoder = createAvroAlertEncoder({ registry, subject: 'a-value' });
    const err = await encoder.ready().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect((err as SchemaRegistryError).message).toMatch(/the alert schema is not registered under subject a-value; run `driftwatch schemas register` first/);
    expect((err as SchemaRegistryError).canRetry).toBe(false);
    state.missing = false;
    await encoder.ready();
    expect(calls).toEqual(['lookup a-value AVRO', 'lookup a-value AVRO', 'schema 7']);
  });

  it('Avro: an alert that does not fit the schema fails with the field path', async () => {
    const { registry } = fakeRegistry();
    const encoder = createAvroAlertEncoder({ registry, subject: 'a-value' });
    await encoder.ready();
    const broken = { ...alert, rule: undefined } as unknown as AlertEvent;
    expect(() => encoder.encode(broken)).toThrow(/alert alert-1 does not fit the registered alert schema \(a-value, id 7\) at rule/);
  });
});
