/**
 * Security audit records of what people do to the store by hand (seed
 * audit-log design, category `security`: "authentication and authorization
 * tracking"): every `driftwatch query --write` statement, whether it ran or
 * was refused, and every `driftwatch sql migrate` that changed the schema.
 * The input events carry no such actions; these records, and the refused
 * logins live mode sees (engine/live/live-audit.ts), are the security ones,
 * in `audit_log` (kept 7 years) beside the rest.
 *
 * No secrets: a statement may carry a password (`CREATE USER … IDENTIFIED BY
 * '…'`, a table function's credentials), so the record keeps it with its
 * comments removed and every string literal masked, plus the SHA-256 of the
 * full text, with which an auditor holding the original can prove it is the
 * one that ran. A failure keeps the ClickHouse error code only: server
 * messages may quote the statement.
 *
 * A record that cannot be written (the statement dropped the table, the user
 * may not insert) does not fail the command: it is logged as a warning.
 */
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Logger } from '../lib/logger.js';
import { clickhouseCodeOf } from './store-errors.js';
import { mapSqlLiterals } from './sql-literals.js';
import type { StoreTransport } from './transport.js';

/** Longest statement text kept in a record (the hash covers all of it). */
export const MAX_AUDITED_STATEMENT = 1000;

export interface AdminActor {
  /** Who ran the command: `<OS user>@<host>`. */
  actor: string;
  /** The store login it ran as (a server's CLICKHOUSE_USER), or `embedded`. */
  storeUser: string;
}

export function adminActor(storeUser: string): AdminActor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown'; // no passwd entry for this uid (a container)
  }
  return { actor: `${user}@${hostname()}`, storeUser };
}

/** Comments removed and every '…' literal masked (sql-literals.ts: one scan, so a quote inside a comment pairs with nothing). */
export function maskStatement(sql: string): string {
  const masked = mapSqlLiterals(sql, (kind, text) => (kind === 'string' ? "'…'" : kind === 'comment' ? ' ' : text))
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length <= MAX_AUDITED_STATEMENT ? masked : `${masked.slice(0, MAX_AUDITED_STATEMENT)}…`;
}

/** The statement's target (`INSERT INTO t`, `ALTER TABLE t`, `DROP TABLE IF EXISTS t`…), when it names one up front. */
export function statementTarget(masked: string): string | undefined {
  const m = /^(?:INSERT\s+INTO|ALTER\s+TABLE|TRUNCATE(?:\s+TABLE)?|DELETE\s+FROM|OPTIMIZE\s+TABLE|RENAME\s+TABLE|(?:DROP|CREATE(?:\s+OR\s+REPLACE)?)\s+\w+)(?:\s+IF(?:\s+NOT)?\s+EXISTS)?\s+([\w.`"]+)/i.exec(masked);
  return m?.[1]?.replace(/[`"]/g, '');
}

export type AdminAction =
  | { action: 'store.write'; statement: string; error?: unknown }
  | { action: 'store.migrate'; applied: readonly string[] };

/** Writes one `security` audit record of `what` into the store; never throws. */
export async function auditAdminAction(transport: StoreTransport, who: AdminActor, what: AdminAction, log: Logger, now: number = Date.now()): Promise<void> {
  let subject: string | undefined;
  let details: Record<string, unknown>;
  let action: string = what.action;
  if (what.action === 'store.write') {
    const statement = maskStatement(what.statement);
    subject = statementTarget(statement);
    details = { statement, statementSha256: createHash('sha256').update(what.statement).digest('hex'), storeUser: who.storeUser };
    if (what.error !== undefined) {
      action = 'store.write_failed';
      const code = clickhouseCodeOf(what.error);
      if (code !== undefined) details.clickhouseCode = code;
    }
  } else {
    subject = 'driftwatch';
    details = { applied: [...what.applied], storeUser: who.storeUser };
  }
  const row = { at: now, category: 'security', action, actor: who.actor, subject_id: subject ?? '', details: JSON.stringify(details) };
  try {
    await transport.insert('driftwatch.audit_log', [JSON.stringify(row)]);
  } catch (err) {
    log.warn({ action, err: { message: (err as Error).message } }, 'could not write the security audit record of this action to driftwatch.audit_log');
  }
}
