/**
 * TLS and SASL of the Kafka clients (KAFKA_SSL*, KAFKA_SASL_*): the checks
 * that span several options, the CA file read once at start-up, and what of
 * it may be shown. The single options are parsed in env-config.ts like every
 * other; topics/kafka-client.ts turns the result into kafkajs' `ssl`/`sasl`.
 */
import { readCaFile, type Problem } from './ca-file.js';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface KafkaSecurity {
  /** null = plaintext connections. */
  ssl: {
    /** PEM text of KAFKA_SSL_CA_FILE; null = the system CAs. */
    ca: string | null;
    caFile: string | null;
    rejectUnauthorized: boolean;
  } | null;
  /** null = no authentication. */
  sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
}

/** The options' variables: a process that starts driftwatch for a Kafka of its own (the benchmark) passes them on. */
export const KAFKA_SECURITY_VARIABLES = [
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
] as const;

/** Those of KAFKA_SECURITY_VARIABLES that `env` sets. */
export function kafkaSecurityEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(KAFKA_SECURITY_VARIABLES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]!]])));
}

/** The parsed values of the six options (env-config.ts `configOptions`). */
export interface KafkaSecurityValues {
  kafkaSsl: boolean;
  kafkaSslCaFile: string;
  kafkaSslRejectUnauthorized: boolean;
  kafkaSaslMechanism: SaslMechanism | null;
  kafkaSaslUsername: string;
  kafkaSaslPassword: string;
}

export type { Problem };

/**
 * The options that only mean something together, checked together; reads
 * KAFKA_SSL_CA_FILE. Every problem names its option; none shows the password.
 */
export function kafkaSecurityFrom(v: KafkaSecurityValues): { security: KafkaSecurity; problems: Problem[] } {
  const problems: Problem[] = [];
  const caFile = v.kafkaSslCaFile.trim();
  let ssl: KafkaSecurity['ssl'] = null;
  if (!v.kafkaSsl) {
    if (caFile !== '') problems.push({ env: 'KAFKA_SSL_CA_FILE', message: 'is only used with KAFKA_SSL=true; set KAFKA_SSL=true, or unset KAFKA_SSL_CA_FILE' });
    if (!v.kafkaSslRejectUnauthorized) {
      problems.push({ env: 'KAFKA_SSL_REJECT_UNAUTHORIZED', message: 'is only used with KAFKA_SSL=true; set KAFKA_SSL=true, or unset KAFKA_SSL_REJECT_UNAUTHORIZED' });
    }
  } else {
    const ca = caFile === '' ? null : readCaFile('KAFKA_SSL_CA_FILE', caFile, problems);
    ssl = { ca, caFile: caFile === '' ? null : caFile, rejectUnauthorized: v.kafkaSslRejectUnauthorized };
  }

  let sasl: KafkaSecurity['sasl'] = null;
  const username = v.kafkaSaslUsername.trim();
  const mechanism = v.kafkaSaslMechanism;
  if (mechanism === null) {
    const given = [username !== '' && 'KAFKA_SASL_USERNAME', v.kafkaSaslPassword !== '' && 'KAFKA_SASL_PASSWORD'].filter(Boolean).join(' and ');
    if (given) problems.push({ env: 'KAFKA_SASL_MECHANISM', message: `is required when ${given} ${given.includes(' and ') ? 'are' : 'is'} set; set it to ${SASL_MECHANISMS.join(', ')}` });
  } else {
    if (username === '') problems.push({ env: 'KAFKA_SASL_USERNAME', message: `is required with KAFKA_SASL_MECHANISM=${mechanism}` });
    if (v.kafkaSaslPassword === '') problems.push({ env: 'KAFKA_SASL_PASSWORD', message: `is required with KAFKA_SASL_MECHANISM=${mechanism}` });
    sasl = { mechanism, username, password: v.kafkaSaslPassword };
  }
  return { security: { ssl, sasl }, problems };
}

/** As it may be logged: no password, the CA by its file rather than its text. */
export function describeKafkaSecurity(s: KafkaSecurity): KafkaSecurity {
  return {
    ssl: s.ssl === null ? null : { ...s.ssl, ca: s.ssl.ca === null ? null : `[PEM from ${s.ssl.caFile}]` },
    sasl: s.sasl === null ? null : { ...s.sasl, password: '[redacted]' },
  };
}

/** Settings that work but weaken what TLS or SASL protect; the CLI logs them as warnings at start-up. */
export function kafkaSecurityWarnings(s: KafkaSecurity): string[] {
  const warnings: string[] = [];
  if (s.sasl?.mechanism === 'plain' && s.ssl === null) {
    warnings.push('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends the Kafka password unencrypted');
  }
  if (s.ssl !== null && !s.ssl.rejectUnauthorized) {
    warnings.push('KAFKA_SSL_REJECT_UNAUTHORIZED=false accepts any broker certificate: the connection can be intercepted');
  }
  return warnings;
}
