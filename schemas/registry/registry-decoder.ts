/**
 * A `Decoder` (processors/decode.ts) for topics that carry Avro in the
 * Confluent wire format, JSON, or both during a migration:
 *
 * - a Buffer starting with magic byte 0 is Avro: the writer schema is looked
 *   up by the id in its header (cached after the first record of each id)
 *   and the body decoded with it; null optional fields are dropped so the
 *   event equals its JSON twin (plain-value.ts);
 * - anything else is parsed as JSON, synchronously (the fast path stays fast).
 *
 * Only a record that cannot be decoded makes `decode` throw/reject, which
 * dead-letters it with the reason (unknown schema id, truncated body, not
 * JSON, an Avro string whose bytes are not UTF-8: avro-utf8.ts). The
 * registry's "schema not found" is remembered per id for a while
 * (unknown-schema-ids.ts), so a producer stuck on a wrong id does not cost a
 * registry round trip per record. A registry that cannot be reached, that
 * refuses the credentials (401/403) or a URL that is not its API (a 404
 * without a registry error) is not the record's fault: the look-up waits with
 * backoff until the registry answers (registry-retry.ts), holding back later
 * records so their order is kept; none of these is remembered.
 */
import { parseJson, type Decoder } from '../../processors/decode.js';
import type { Logger } from '../../lib/logger.js';
import type { AvroRegistry } from './registry-client.js';
import { redactCredentials } from './registry-endpoint.js';
import { isRecordIndependentRegistryError, isRegistryNotFound, isRegistryRefusal, registryMessage, registryStatus } from './registry-errors.js';
import { RegistryRetry, type RetryOptions } from './registry-retry.js';
import { UnknownSchemaIds, type UnknownSchemaIdsOptions } from './unknown-schema-ids.js';
import { isConfluentWireFormat, schemaIdOf, HEADER_BYTES } from './wire-format.js';
import { plainFromAvro } from './plain-value.js';
import { holdsReplacementCharacter, invalidUtf8Path, type AvroTypeLike } from './avro-utf8.js';

export interface RegistryDecoderOptions {
  registry: AvroRegistry;
  logger?: Logger;
  /** Backoff while the registry is unreachable; default: wait as long as it takes. */
  retry?: Omit<RetryOptions, 'logger' | 'what'>;
  /** How long (`ttlMs`, DRIFTWATCH_UNKNOWN_SCHEMA_TTL) and how many ids the registry did not know are remembered. */
  unknownIds?: UnknownSchemaIdsOptions;
  /**
   * Told of every look-up the registry refused with 401 or 403 (credentials
   * rejected, or not allowed): waited out like an outage, but also a
   * security event (live mode audits it: engine/live/live-audit.ts).
   */
  onRefused?: (err: unknown) => void;
}

export interface RegistryDecoder extends Decoder {
  /** Records decoded per encoding, and the outages waited out so far (live counts). */
  readonly stats: { avro: number; json: number; outages: number; retries: number; unknownIdHits: number };
  /** True while a registry outage is being waited out. */
  readonly waitingForRegistry: boolean;
}

function why(err: unknown, schemaId: number): string {
  const status = registryStatus(err);
  if (status === 404) return `schema id ${schemaId} is not in the schema registry (${registryMessage(err)})`; // the registry's own 404: others are waited out
  if (status !== undefined) return `schema id ${schemaId}: schema registry answered ${status}: ${registryMessage(err)}`;
  return `schema id ${schemaId}: ${redactCredentials(err instanceof Error ? err.message : String(err))}`;
}

/** How a record that is neither JSON nor in Confluent wire format is refused (before the JSON parser's message). */
export const NEITHER_JSON_NOR_AVRO = 'not JSON, and not Avro (no magic byte 0): ';

export function createRegistryDecoder(options: RegistryDecoderOptions): RegistryDecoder {
  const { registry } = options;
  const logger = options.logger?.child({ component: 'registry-decoder' });
  // Refused credentials and a misrouted URL are waited out like an outage: they are not the record's fault.
  const { onRefused } = options;
  const isTransient = onRefused
    ? (err: unknown) => {
        if (isRegistryRefusal(err)) onRefused(err);
        return isRecordIndependentRegistryError(err);
      }
    : isRecordIndependentRegistryError;
  const retry = new RegistryRetry({ isTransient, ...options.retry, logger, what: 'schema look-up' });
  const unknownIds = new UnknownSchemaIds(options.unknownIds);
  const counts = { avro: 0, json: 0, unknownIdHits: 0 };
  const stats = {
    get avro() {
      return counts.avro;
    },
    get json() {
      return counts.json;
    },
    get outages() {
      return retry.stats.outages;
    },
    get retries() {
      return retry.stats.retries;
    },
    /** Records dead-lettered on a remembered "schema not found", without asking the registry. */
    get unknownIdHits() {
      return counts.unknownIdHits;
    },
  };

  async function decodeAvro(raw: Buffer): Promise<unknown> {
    const schemaId = schemaIdOf(raw);
    if (schemaId === null) {
      throw new Error(`starts with the Avro magic byte 0 but has ${raw.length} bytes, fewer than the ${HEADER_BYTES}-byte Confluent header`);
    }
    const known = unknownIds.reasonFor(schemaId);
    if (known !== undefined) {
      counts.unknownIdHits++;
      throw new Error(known);
    }
    let value: unknown;
    try {
      value = await retry.run(() => registry.decode(raw));
    } catch (err) {
      const reason = why(err, schemaId);
      // Only the registry's own "not found" is the id's fault; everything else is asked again on the next record.
      if (isRegistryNotFound(err)) {
        const firstTime = unknownIds.remember(schemaId, reason);
        // Once per id and TTL, not per record: a producer on a wrong id would otherwise flood the log too.
        if (firstTime) {
          logger?.warn(
            { schemaId, reason, forgetInMs: unknownIds.ttlMs },
            'schema id not in the schema registry: its records are dead-lettered without asking it again until forgetInMs has passed',
          );
        }
      }
      throw new Error(reason, { cause: err });
    }
    const event = plainFromAvro(value);
    if (holdsReplacementCharacter(event)) await refuseInvalidUtf8(raw, schemaId);
    counts.avro++;
    return event;
  }

  /**
   * Throws, naming the field, when a U+FFFD in the decoded event stands for
   * bytes that are not UTF-8 (avsc decodes them so without a word); a
   * producer's own U+FFFD is valid UTF-8 and passes (avro-utf8.ts). The
   * writer schema is the one the body was just decoded with: the library has
   * it cached, so this asks the registry nothing.
   */
  async function refuseInvalidUtf8(raw: Buffer, schemaId: number): Promise<void> {
    let type: AvroTypeLike;
    try {
      type = (await retry.run(() => registry.getSchema(schemaId))) as unknown as AvroTypeLike;
    } catch (err) {
      throw new Error(why(err, schemaId), { cause: err });
    }
    const path = invalidUtf8Path(type, raw.subarray(HEADER_BYTES));
    if (path !== undefined) {
      throw new Error(`schema id ${schemaId}: field ${path}: its bytes are not valid UTF-8 (an Avro string must be); not processed with a replacement character`);
    }
  }

  return {
    name: 'Avro/JSON',
    stats,
    get waitingForRegistry() {
      return retry.unavailable;
    },
    decode(raw) {
      if (isConfluentWireFormat(raw)) return decodeAvro(raw as Buffer);
      let value: unknown;
      try {
        value = parseJson(raw);
      } catch (err) {
        throw new Error(`${NEITHER_JSON_NOR_AVRO}${(err as Error).message}`);
      }
      counts.json++;
      return value;
    },
  };
}
