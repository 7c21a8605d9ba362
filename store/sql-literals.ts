/**
 * One scan of SQL text for what is not code: string literals ('…', with
 * backslash escapes and doubled quotes), quoted identifiers ("…", `…`) and
 * comments (-- to the end of the line, /* … *\/). An unterminated one runs to
 * the end. Callers decide what each becomes: `query` blanks them all to find
 * a `;` or a FORMAT clause in the code (open-store.ts), the security audit
 * masks string literals, which may hold passwords (admin-audit.ts).
 */
export type SqlLiteralKind = 'string' | 'identifier' | 'comment';

export function mapSqlLiterals(sql: string, replace: (kind: SqlLiteralKind, text: string) => string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    const close = c === "'" ? "'" : c === '"' ? '"' : c === '`' ? '`' : sql.startsWith('--', i) ? '\n' : sql.startsWith('/*', i) ? '*/' : null;
    if (close === null) {
      out += c;
      i++;
      continue;
    }
    const comment = close === '\n' || close === '*/';
    let j = i + (comment ? 2 : 1);
    for (;;) {
      while (j < sql.length && !sql.startsWith(close, j)) j += sql[j] === '\\' ? 2 : 1;
      // A doubled quote ('it''s') is one quote inside the literal, not its end.
      if (close === "'" && sql.startsWith("''", j)) j += 2;
      else break;
    }
    j = Math.min(sql.length, j + close.length);
    out += replace(comment ? 'comment' : close === "'" ? 'string' : 'identifier', sql.slice(i, j));
    i = j;
  }
  return out;
}
