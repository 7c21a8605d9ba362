/**
 * A CA file option (KAFKA_SSL_CA_FILE, CLICKHOUSE_TLS_CA_FILE), read while the
 * configuration is checked, so a wrong path is a configuration error naming
 * its option (exit 2) rather than a server that cannot be reached. Its
 * problems name the file, never its contents (a private key given by mistake
 * must not be echoed).
 */
import { readFileSync } from 'node:fs';

export type Problem = { env: string; message: string };

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** The file's PEM text, or null with a problem under `env` when it cannot be read or holds no certificate. */
export function readCaFile(env: string, path: string, problems: Problem[]): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push({ env, message: `cannot read ${path}: ${(err as Error).message}` });
    return null;
  }
  if (!text.includes(PEM_CERTIFICATE)) {
    problems.push({ env, message: `${path} holds no PEM certificate (a "${PEM_CERTIFICATE}" block); export the CA as PEM` });
    return null;
  }
  return text;
}
