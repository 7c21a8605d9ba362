/**
 * A misspelt variable is ignored, so the option silently keeps its default:
 * KAFKA_SSL_CA_FIEL leaves the system CAs in place, LOG_LEVLE the info level.
 * DRIFTWATCH_* names were flagged without a hint; the other options' names
 * (KAFKA_*, CLICKHOUSE_*, SCHEMA_REGISTRY_URL, LOG_LEVEL) not at all.
 */
import { describe, expect, it } from 'vitest';
import { misspeltVariables } from '../../../config/variable-typos.js';

describe('misspelt variables', () => {
  it('flags every unknown DRIFTWATCH_* variable, with the option it is near when there is one', () => {
    expect(misspeltVariables({ DRIFTWATCH_ALOWED_LATENESS: '1m', DRIFTWATCH_NOTHING_LIKE_IT: 'x', DRIFTWATCH_WINDOW: '5m' })).toEqual([
      { variable: 'DRIFTWATCH_ALOWED_LATENESS', suggestion: 'DRIFTWATCH_ALLOWED_LATENESS' },
      { variable: 'DRIFTWATCH_NOTHING_LIKE_IT' },
    ]);
  });

  it("flags another option's near miss, never its own name or the variables of other tools", () => {
    const env = {
      KAFKA_SSL_CA_FIEL: '/etc/ca.pem',
      LOG_LEVLE: 'debug',
      SCHEMA_REGISTRY_URI: 'http://r:8081',
      KAFKA_BROKERS: 'k:9092',
      CLICKHOUSE_HOST: 'ch', // clickhouse-client's
      CLICKHOUSE_PORT: '9000',
      HOME: '/root',
    };
    expect(misspeltVariables(env)).toEqual([
      { variable: 'KAFKA_SSL_CA_FIEL', suggestion: 'KAFKA_SSL_CA_FILE' },
      { variable: 'LOG_LEVLE', suggestion: 'LOG_LEVEL' },
      { variable: 'SCHEMA_REGISTRY_URI', suggestion: 'SCHEMA_REGISTRY_URL' },
    ]);
  });

  it("leaves other tools' real variables two edits from a short option name alone, and still flags a swap of two letters", () => {
    const env = {
      KAFKA_URL: 'kafka+ssl://k:9096', // Heroku's Kafka add-on: two edits from KAFKA_SSL
      CLICKHOUSE_UID: '101', // the clickhouse-server image's: two edits from CLICKHOUSE_URL
      CLICKHOUSE_GID: '101',
      LOG_LVL: 'debug', // an abbreviation, not a slip of the finger
      KAFKA_SLL: 'true',
      CLICKHOUSE_ULR: 'http://ch:8123',
      KAFKA_BROKER: 'k:9092',
    };
    const flagged = misspeltVariables(env).map((m) => `${m.variable} -> ${m.suggestion}`);
    expect(flagged).toEqual(['CLICKHOUSE_ULR -> CLICKHOUSE_URL', 'KAFKA_BROKER -> KAFKA_BROKERS', 'KAFKA_SLL -> KAFKA_SSL']);
  });
});
