/**
 * A producer misconfigured to a schema id the registry does not know, against
 * the real registry: every record is dead-lettered with the registry's reason,
 * and the registry is asked once, not once per record. The records are decoded
 * one after the other (each waits for the previous one's answer), as they come
 * when a producer trickles them in: records decoded at the same time already
 * share one request in the client library, so only this shows the count.
 * A counting HTTP forwarder in front of the registry counts the look-ups
 * (counting-forwarder.ts).
 */
import { afterEach, expect, it } from 'vitest';
import { decodeRecord, type DecodeResult } from '../../../processors/decode.js';
import { createRegistryClient } from '../../../schemas/registry/registry-client.js';
import { createRegistryDecoder } from '../../../schemas/registry/registry-decoder.js';
import { toWireFormat } from '../../../schemas/registry/wire-format.js';
import { silentLogger } from '../../../lib/logger.js';
import { describeRegistry } from './registry-env.js';
import { countingForwarder } from './counting-forwarder.js';

function reasonOf(r: DecodeResult): string {
  if (r.ok) throw new Error(`expected a dead letter, got event ${r.envelope.event.eventId}`);
  return r.deadLetter.reason;
}

describeRegistry('records with a schema id the registry does not know (real registry)', (url) => {
  let forwarder: Awaited<ReturnType<typeof countingForwarder>> | null = null;
  afterEach(async () => {
    await new Promise<void>((resolve) => forwarder?.server.close(() => resolve()) ?? resolve());
    forwarder = null;
  });

  it('asks the registry once for N records of one unknown id and dead-letters all N with its reason', async () => {
    forwarder = await countingForwarder(new URL(url));
    const decoder = createRegistryDecoder({ registry: createRegistryClient(forwarder.url), logger: silentLogger });
    const unknownId = 900_000_000 + Math.floor(Math.random() * 99_999_999);
    const N = 200;
    const reasons: string[] = [];
    for (let i = 0; i < N; i++) {
      reasons.push(reasonOf(await decodeRecord({ value: toWireFormat(unknownId, Buffer.from([2, 4, 6])), source: { topic: 't', partition: 0, offset: String(i) } }, decoder)));
    }
    expect(reasons).toHaveLength(N);
    expect(reasons[0]).toMatch(new RegExp(`^invalid Avro/JSON: schema id ${unknownId} is not in the schema registry \\(.+\\)$`));
    expect(new Set(reasons)).toEqual(new Set([reasons[0]]));
    expect(forwarder.paths.filter((p) => p.endsWith(`/schemas/ids/${unknownId}`))).toHaveLength(1);
    expect(decoder.stats.outages).toBe(0);
  });

  it('asks the registry again once DRIFTWATCH_UNKNOWN_SCHEMA_TTL has passed', async () => {
    forwarder = await countingForwarder(new URL(url));
    const decoder = createRegistryDecoder({ registry: createRegistryClient(forwarder.url), logger: silentLogger, unknownIds: { ttlMs: 300 } });
    const unknownId = 900_000_000 + Math.floor(Math.random() * 99_999_999);
    const decodeOne = async () => reasonOf(await decodeRecord({ value: toWireFormat(unknownId, Buffer.from([2])) }, decoder));
    const lookUps = () => forwarder!.paths.filter((p) => p.endsWith(`/schemas/ids/${unknownId}`)).length;
    await decodeOne();
    await decodeOne();
    expect(lookUps()).toBe(1);
    await new Promise((r) => setTimeout(r, 350)); // an integration test may wait on real time; the TTL logic is unit-tested on virtual time
    expect(await decodeOne()).toMatch(/is not in the schema registry/);
    expect(lookUps()).toBe(2);
  });
});
