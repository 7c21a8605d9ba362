/**
 * How a store error names the statement that failed: its first line of SQL
 * — not a blank line nor a `--` comment, which the analyst queries of
 * sql/queries/ and the migrations open with — with every string literal
 * masked ('…'), cut to 120 characters. The error reaches stderr and the log,
 * and a literal may be a secret (`query --write "CREATE USER … IDENTIFIED BY
 * '…'"`, a password column): masked as the security audit masks it
 * (admin-audit.ts). One function for both transports, so the embedded store
 * and a server name a statement alike.
 *
 * The server's (or chDB's) own message may quote the statement too: a syntax
 * error echoes it from the failure position, up to 160 characters (18.16 and
 * current releases). maskLiteralsIn masks the statement's literals there.
 */
import { mapSqlLiterals } from './sql-literals.js';

export function statementLabel(sql: string): string {
  const masked = mapSqlLiterals(sql, (kind, text) => (kind === 'string' ? "'…'" : text));
  const line = (masked.split('\n').find((l) => !/^\s*(--.*)?$/.test(l)) ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * Shortest part of a literal (its opening quote and 4 characters) masked where
 * the message cuts it off: a shorter one would also mask text that merely
 * begins like a literal ('pr_x' against 'prod'). So a literal cut within its
 * first 4 characters keeps those 4 in the message.
 */
const MIN_CUT_LITERAL = 5;

/**
 * `message` (a failed statement's error text) with every string literal of
 * `sql` masked ('…') wherever it appears as the statement writes it, and the
 * part of one that the message cuts off ('… at its end): the server quotes
 * the statement from the failure position, at most 160 characters of it.
 */
export function maskLiteralsIn(message: string, sql: string): string {
  const literals = new Set<string>();
  mapSqlLiterals(sql, (kind, text) => {
    if (kind === 'string' && text.length > 2) literals.add(text); // '' hides nothing
    return text;
  });
  // Longest first: a literal that contains a shorter one is masked whole.
  let out = message;
  for (const literal of [...literals].sort((a, b) => b.length - a.length)) {
    out = maskCutOff(out.split(literal).join("'…'"), literal);
  }
  return out;
}

/** Masks every place where `text` holds the beginning (at least MIN_CUT_LITERAL characters) of `literal` but not all of it. */
function maskCutOff(text: string, literal: string): string {
  let out = '';
  let i = 0;
  for (let q = text.indexOf("'"); q >= 0; q = text.indexOf("'", i)) {
    let k = 0;
    while (k < literal.length && q + k < text.length && text[q + k] === literal[k]) k++;
    if (k >= MIN_CUT_LITERAL) {
      out += `${text.slice(i, q)}'…`;
      i = q + k;
    } else {
      out += text.slice(i, q + 1);
      i = q + 1;
    }
  }
  return out + text.slice(i);
}
