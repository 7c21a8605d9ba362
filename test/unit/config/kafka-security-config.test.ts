/**
 * KAFKA_SSL* / KAFKA_SASL_*: defaults, values, the errors that name the
 * option, the CA file read at start-up, the exit code of a bad setting, and
 * the password kept out of errors, the logged configuration and log lines.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig, loadConfig } from '../../../config/env-config.js';
import { kafkaSecurityEnv } from '../../../config/kafka-security.js';
import { kafkajsSecurity } from '../../../topics/kafka-client.js';
import { configErrorOf } from '../../helpers/config-error.js';
import { runCli } from '../cli/run-cli.js';

const PASSWORD = 'kafka-pa55word';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
let caFile: string;
let notPem: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-kafka-ca-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, PEM);
  notPem = join(dir, 'ca.der');
  writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
});

const errorFor = (env: Record<string, string>) => configErrorOf(() => loadConfig(env));
const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'dw', KAFKA_SASL_PASSWORD: PASSWORD };

describe('Kafka TLS / SASL options', () => {
  it('default to plaintext without a login, and give kafkajs no ssl or sasl option at all', () => {
    const { security } = loadConfig({}).kafka;
    expect(security).toEqual({ ssl: null, sasl: null });
    expect(kafkajsSecurity(security)).toEqual({});
  });

  it('read the CA file at start-up and hand its PEM to kafkajs', () => {
    const { security } = loadConfig({ KAFKA_SSL: 'TRUE', KAFKA_SSL_CA_FILE: caFile }).kafka;
    expect(security.ssl).toEqual({ ca: PEM, caFile, rejectUnauthorized: true });
    expect(kafkajsSecurity(security)).toEqual({ ssl: { ca: [PEM], rejectUnauthorized: true } });
  });

  it('use the system CAs without a CA file, and can accept any certificate when told to', () => {
    expect(kafkajsSecurity(loadConfig({ KAFKA_SSL: 'true' }).kafka.security)).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(kafkajsSecurity(loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).kafka.security)).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it('take the SASL mechanism in any case, with its user and password', () => {
    const { security } = loadConfig({ ...sasl, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512' }).kafka;
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'dw', password: PASSWORD });
    expect(kafkajsSecurity(security)).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'dw', password: PASSWORD } });
    expect(loadConfig({ ...sasl, KAFKA_SASL_MECHANISM: 'plain' }).kafka.security.sasl?.mechanism).toBe('plain');
    expect(loadConfig({ ...sasl, KAFKA_SASL_MECHANISM: 'scram-sha-256' }).kafka.security.sasl?.mechanism).toBe('scram-sha-256');
  });

  it('name the option of a value that is not a boolean or a mechanism', () => {
    const ssl = errorFor({ KAFKA_SSL: 'yes' });
    expect([ssl.option, ssl.message]).toEqual(['KAFKA_SSL', 'KAFKA_SSL: expected true or false, got "yes"']);
    expect(errorFor({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: '0' }).option).toBe('KAFKA_SSL_REJECT_UNAUTHORIZED');
    const m = errorFor({ ...sasl, KAFKA_SASL_MECHANISM: 'gssapi' });
    expect(m.option).toBe('KAFKA_SASL_MECHANISM');
    expect(m.message).toMatch(/plain, scram-sha-256, scram-sha-512/);
  });

  it('refuse a CA file that is missing or holds no PEM certificate, naming KAFKA_SSL_CA_FILE', () => {
    const missing = errorFor({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' });
    expect(missing.option).toBe('KAFKA_SSL_CA_FILE');
    expect(missing.message).toMatch(/^KAFKA_SSL_CA_FILE: cannot read \/nonexistent\/ca\.pem: ENOENT/);
    const der = errorFor({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: notPem });
    expect([der.option, der.message]).toEqual(['KAFKA_SSL_CA_FILE', expect.stringContaining('holds no PEM certificate')]);
  });

  it('refuse TLS settings without KAFKA_SSL=true rather than ignore them', () => {
    expect(errorFor({ KAFKA_SSL_CA_FILE: caFile }).message).toBe(
      'KAFKA_SSL_CA_FILE: is only used with KAFKA_SSL=true; set KAFKA_SSL=true, or unset KAFKA_SSL_CA_FILE',
    );
    expect(errorFor({ KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).option).toBe('KAFKA_SSL_REJECT_UNAUTHORIZED');
  });

  it('require the user and the password with a mechanism, and a mechanism with either, without showing the password', () => {
    const noUser = errorFor({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(noUser.message).toBe('KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM=plain');
    const neither = errorFor({ KAFKA_SASL_MECHANISM: 'plain' });
    expect(neither.message).toBe('KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM=plain; KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM=plain');
    const noMechanism = errorFor({ KAFKA_SASL_USERNAME: 'dw', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(noMechanism.message).toBe(
      'KAFKA_SASL_MECHANISM: is required when KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set; set it to plain, scram-sha-256, scram-sha-512',
    );
    expect(errorFor({ KAFKA_SASL_PASSWORD: PASSWORD }).message).not.toContain(PASSWORD);
  });

  it('show neither the password nor the CA text in the configuration as logged', () => {
    const c = loadConfig({ ...sasl, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile });
    const shown = describeConfig(c);
    expect(JSON.stringify(shown)).not.toContain(PASSWORD);
    expect(shown.kafka.security).toEqual({
      ssl: { ca: `[PEM from ${caFile}]`, caFile, rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'dw', password: '[redacted]' },
    });
    expect(c.kafka.security.sasl?.password).toBe(PASSWORD); // the original is untouched
  });

  it('are passed on by name (the benchmark gives them to its engines)', () => {
    expect(kafkaSecurityEnv({ ...sasl, KAFKA_SSL: 'true', KAFKA_BROKERS: 'b:1', HOME: '/root' })).toEqual({ ...sasl, KAFKA_SSL: 'true' });
  });
});

describe('Kafka TLS / SASL options on the command line', () => {
  it('a bad one exits 2 like every configuration error, naming the option and not the password', async () => {
    const r = await runCli(['topics', 'create'], { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_SASL_USERNAME: 'dw', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr + r.log).toMatch(/KAFKA_SASL_MECHANISM: is required when/);
    expect(r.stdout + r.stderr + r.log).not.toContain(PASSWORD);
  });

  it('a missing CA file exits 2 before any connection is tried', async () => {
    const r = await runCli(['topics', 'create'], { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' });
    expect(r.code).toBe(2);
    expect(r.stderr + r.log).toMatch(/KAFKA_SSL_CA_FILE: cannot read \/nonexistent\/ca\.pem/);
  });

  it('the debug log of the configuration holds no password; PLAIN without TLS is warned about', async () => {
    // Port 1: nothing listens, the command fails after the configuration was logged.
    const r = await runCli(['topics', 'create'], { KAFKA_BROKERS: '127.0.0.1:1', ...sasl, KAFKA_SASL_MECHANISM: 'plain', LOG_LEVEL: 'debug' });
    expect(r.log).toContain('configuration loaded');
    expect(r.log).toContain('"password":"[redacted]"');
    expect(r.stdout + r.stderr + r.log).not.toContain(PASSWORD);
    expect(r.log).toContain('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends the Kafka password unencrypted');
  }, 60_000);
});

describe('credentials written into KAFKA_BROKERS', () => {
  // Some tools take `user:password@host:port` or a kafka:// URL; driftwatch takes host:port only, and its error
  // quoted the bad entry whole, password included, on stderr and in `run`'s error log.
  it('are refused without showing the password, pointing at the SASL options', async () => {
    for (const brokers of [`driftwatch:${PASSWORD}@kafka-1:9094`, `kafka://driftwatch:${PASSWORD}@kafka-1:9094`]) {
      const e = configErrorOf(() => loadConfig({ KAFKA_BROKERS: `kafka-0:9094,${brokers}` }));
      expect(e.option).toBe('KAFKA_BROKERS');
      expect(e.message).not.toContain(PASSWORD);
      expect(e.message).toContain('kafka-1:9094');
      expect(e.message).toContain('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
      const r = await runCli(['run'], { KAFKA_BROKERS: brokers, LOG_LEVEL: 'debug' });
      expect(r.code).toBe(2);
      expect(r.stderr + r.log).not.toContain(PASSWORD);
    }
  });
});

describe('a password holding a comma or a "/" written into KAFKA_BROKERS', () => {
  // The list is split at commas before the credentials are looked for: `bob:se,cret@k:9092` made the entry `bob:se`,
  // quoted back as no host:port. A "/" ends a URL's authority, so `kafka://bob:se/cret@k:9092` parsed as no password
  // at all and was quoted whole. No part of a password may be shown.
  it('is refused without showing any part of it', () => {
    for (const brokers of ['bob:se,cret@kafka-1:9094', 'kafka://bob:se,cret@kafka-1:9094', 'kafka://bob:se/cret@kafka-1:9094', 'kafka-0:9094,bob:s3c?ret=1@kafka-1:9094']) {
      const e = configErrorOf(() => loadConfig({ KAFKA_BROKERS: brokers }));
      expect(e.option).toBe('KAFKA_BROKERS');
      expect(e.message).not.toMatch(/bob|se,|cret/);
      expect(e.message).toContain('@kafka-1:9094');
      expect(e.message).toContain('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    }
  });
});
