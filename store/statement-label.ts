/**
 * How a store error names the statement that failed: its first line of SQL
 * — not a blank line nor a `--` comment, which the analyst queries of
 * sql/queries/ and the migrations open with — with every string literal
 * masked ('…'), cut to 120 characters. The error reaches stderr and the log,
 * and a literal may be a secret (`query --write "CREATE USER … IDENTIFIED BY
 * '…'"`, a password column): masked as the security audit masks it
 * (admin-audit.ts). One function for both transports, so the embedded store
 * and a server name a statement alike.
 */
import { mapSqlLiterals } from './sql-literals.js';

export function statementLabel(sql: string): string {
  const masked = mapSqlLiterals(sql, (kind, text) => (kind === 'string' ? "'…'" : text));
  const line = (masked.split('\n').find((l) => !/^\s*(--.*)?$/.test(l)) ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
