/**
 * How a store error names the statement that failed: its first line of SQL
 * — not a blank line nor a `--` comment, which the analyst queries of
 * sql/queries/ and the migrations open with — cut to 120 characters. One
 * function for both transports, so the embedded store and a server name a
 * statement alike.
 */
export function statementLabel(sql: string): string {
  const line = (sql.split('\n').find((l) => !/^\s*(--.*)?$/.test(l)) ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
