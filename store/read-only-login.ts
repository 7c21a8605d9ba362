/**
 * `driftwatch query --write` as a ClickHouse user whose own profile is
 * read-only (`driftwatch_reader`, `driftwatch_analyst` of
 * sql/roles/roles.sql) cannot work, whatever the statement: the server
 * refuses it with READONLY, and for a user at readonly = 1 already on the
 * settings every query carries ("Cannot override setting
 * (output_format_json_quote_64bit_integers) in readonly mode"), which names
 * a setting rather than the cause. The refusal is put in plain words once
 * the server confirms the user's level: READONLY alone may also come from
 * the statement's own `SETTINGS readonly = …`, which is the user's choice
 * and keeps the server's words.
 */
import { UsageError } from '../lib/errors.js';
import { clickhouseCodeOf, READONLY_CODE } from './store-errors.js';
import type { StoreTransport } from './transport.js';

/** A transport logged in as a user whose profile may itself be read-only (a server's; the embedded store has no users). */
interface ProfiledTransport extends StoreTransport {
  readonly user: string;
  profileReadonlyLevel(): Promise<number>;
}

/** The error to report for `err`, thrown by a --write statement: a UsageError naming the read-only user, or `err` itself. */
export async function explainReadOnlyLogin(transport: StoreTransport, err: unknown): Promise<unknown> {
  if (clickhouseCodeOf(err) !== READONLY_CODE) return err;
  const profiled = transport as Partial<ProfiledTransport>;
  if (typeof profiled.profileReadonlyLevel !== 'function') return err;
  let level: number;
  try {
    level = await profiled.profileReadonlyLevel();
  } catch {
    return err; // the level cannot be told: the server's own words are all there is
  }
  if (!(level >= 1)) return err;
  return new UsageError(
    `query --write: CLICKHOUSE_USER "${profiled.user}" is read-only (its profile sets readonly = ${level}), so nothing can be written as it; ` +
      '--write needs a user that may write (role driftwatch_writer of sql/roles/roles.sql), and this user reads without --write ' +
      `(${(err as Error).message})`,
    { cause: err },
  );
}
