import { describe, it, expect } from 'vitest';
import { configReference } from '../../../config/env-config.js';
import { readmeTable, unquote } from '../../helpers/readme-tables.js';
import { configErrorOf } from '../../helpers/config-error.js';
import { loadConfig } from '../../../config/env-config.js';

describe('README configuration table', () => {
  const rows = readmeTable('variable').map(([env, def, ...meaning]) => ({ env: unquote(env), def, meaning: meaning.join(' | ') }));

  it('documents every option with its default', () => {
    for (const o of configReference()) {
      const row = rows.find((r) => r.env === o.env);
      expect(row, `README is missing ${o.env}`).toBeDefined();
      expect(row!.def, `README default of ${o.env}`).toBe(o.default === '' ? '*(unset)*' : `\`${o.default}\``);
    }
  });

  // README says `driftwatch --help` prints the same table: a row for an option the schema no longer has, or whose
  // meaning drifted from the schema's doc line, would tell users something the engine does not do.
  it('lists only options of the schema, each with the doc line --help prints', () => {
    const docs = new Map(configReference().map((o) => [o.env, o.doc]));
    for (const r of rows) {
      expect(docs.has(r.env), `README lists ${r.env}, which the configuration schema does not have`).toBe(true);
      expect(r.meaning, `README meaning of ${r.env}`).toBe(docs.get(r.env));
    }
    expect(rows).toHaveLength(docs.size);
  });

  // README: "A bad value fails fast with a message naming the variable." Each option's example of a value it refuses
  // (null: any text but blank is a value it takes, e.g. a path or a user name; blank is refused for every option).
  // An option added without an entry here fails the first assertion: say what it refuses.
  const refused: Record<string, string | Record<string, string> | null> = {
    DRIFTWATCH_DATA_DIR: null,
    DRIFTWATCH_ALLOWED_LATENESS: 'abc',
    DRIFTWATCH_CONVERGENCE_GRACE: '-1s',
    DRIFTWATCH_SOURCE_TTL: '0s',
    DRIFTWATCH_MAX_SOURCES_PER_KEY: '0',
    DRIFTWATCH_WINDOW: '5',
    DRIFTWATCH_DEDUP_HORIZON: '400d',
    DRIFTWATCH_MAX_FUTURE_SKEW: 'never',
    DRIFTWATCH_DEDUP_MAX_ENTRIES: '1.5',
    DRIFTWATCH_ALERTS_FILE: null, // read when the alerts load: a missing file is refused there, naming it (alerts-file.test.ts)
    LOG_LEVEL: 'verbose',
    KAFKA_BROKERS: 'kafka',
    KAFKA_CLIENT_ID: null,
    KAFKA_SSL: 'yes',
    KAFKA_SSL_CA_FILE: '/etc/ca.pem', // without KAFKA_SSL=true
    KAFKA_SSL_REJECT_UNAUTHORIZED: 'no',
    KAFKA_SASL_MECHANISM: 'gssapi',
    KAFKA_SASL_USERNAME: 'driftwatch', // without a mechanism
    KAFKA_SASL_PASSWORD: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'driftwatch' }, // a mechanism and a user but no password
    DRIFTWATCH_GROUP_ID: null,
    DRIFTWATCH_TOPIC_PROMOTION: 'promotions!',
    DRIFTWATCH_TOPIC_HYDRATION: 'a b',
    DRIFTWATCH_TOPIC_INDEX: 'x'.repeat(250),
    DRIFTWATCH_TOPIC_ALERTS: 'alerts/v1',
    DRIFTWATCH_TOPIC_DLQ: 'dlq?',
    DRIFTWATCH_TOPIC_STATE_CHANGELOG: 'state-changelog',
    DRIFTWATCH_PARTITIONS: '0',
    DRIFTWATCH_REPLICATION: 'three',
    DRIFTWATCH_RETENTION_INPUT: 'forever',
    DRIFTWATCH_RETENTION_ALERTS: '7 days',
    DRIFTWATCH_RETENTION_DLQ: '-14d',
    CLICKHOUSE_URL: 'localhost:8123',
    CLICKHOUSE_USER: null,
    CLICKHOUSE_PASSWORD: null,
    CLICKHOUSE_DATABASE: 'drift-watch',
    CLICKHOUSE_TLS_CA_FILE: '/etc/ca.pem', // without an https:// CLICKHOUSE_URL
    CLICKHOUSE_REQUEST_TIMEOUT: '30d',
    DRIFTWATCH_STORAGE_POLICY: 'hot cold',
    DRIFTWATCH_VOLUME_WARM: 'warm volume',
    DRIFTWATCH_VOLUME_COLD: "cold'",
    DRIFTWATCH_TIER_WARM_AFTER: 'a week',
    DRIFTWATCH_TIER_COLD_AFTER: { DRIFTWATCH_STORAGE_POLICY: 'tiered', DRIFTWATCH_TIER_COLD_AFTER: '1d' }, // before the warm tier's 7d
    SCHEMA_REGISTRY_URL: 'http://registry:8081/?x=1',
    DRIFTWATCH_UNKNOWN_SCHEMA_TTL: 'soon',
    DRIFTWATCH_ALERT_FORMAT: 'protobuf',
    DRIFTWATCH_STORE_BATCH_ROWS: '-5',
    DRIFTWATCH_STORE_FLUSH_INTERVAL: '1 s',
    DRIFTWATCH_METRICS_STORE_INTERVAL: '15',
    DRIFTWATCH_METRICS_PORT: '65536',
    DRIFTWATCH_INSTANCE_ID: 'engine 1',
    DRIFTWATCH_IDLE_TIMEOUT: 'idle',
    DRIFTWATCH_SESSION_TIMEOUT: '1s',
    DRIFTWATCH_LAG_INTERVAL: '0.5x',
    DRIFTWATCH_COMMIT_INTERVAL: '1h1m',
    DRIFTWATCH_DEDUP_IDS_PER_KEY: '0',
  };

  it('refuses a bad value of every option with an error naming it, and a blank one too', () => {
    expect(Object.keys(refused).sort()).toEqual(configReference().map((o) => o.env).sort());
    for (const { env } of configReference()) {
      const blank = configErrorOf(() => loadConfig({ [env]: '  ' }));
      expect(blank.option, `blank ${env}`).toBe(env);
      const bad = refused[env];
      if (bad === null || bad === undefined) continue;
      const given = typeof bad === 'string' ? { [env]: bad } : bad;
      const err = configErrorOf(() => loadConfig(given));
      // Named as the option in error, or in the message of the one it goes with (KAFKA_SASL_USERNAME without a mechanism).
      expect(err.message, `${env}=${JSON.stringify(bad)}`).toMatch(new RegExp(`\\b${env}\\b`));
    }
  });
});
