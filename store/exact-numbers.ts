/**
 * JSON text with every number that a JavaScript number cannot hold exactly
 * turned into a string of its digits, for `driftwatch query`'s output.
 *
 * The stores answer 64-bit integers and decimals as bare JSON numbers (the
 * engine's own queries want `count()` as a number, store/server-features.ts);
 * `JSON.parse` would round `18446744073709551615` to `18446744073709552000`
 * and print it as if exact — an analyst's `cityHash64` or a `UInt64` sum
 * silently wrong. Numbers that round-trip stay numbers, so `count()` is
 * still a number in `-f jsonl`.
 */

/** Whether a JSON number literal survives `JSON.parse` → `String` unchanged in value. */
function isExact(literal: string): boolean {
  const n = Number(literal);
  if (!Number.isFinite(n)) return false;
  if (/^-?\d+$/.test(literal)) return Number.isSafeInteger(n);
  // A fraction or exponent: exact enough when its significant digits fit a double's 15.
  const digits = literal.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '');
  return digits.replace(/0+$/, '').length <= 15;
}

/** `text` (JSON) with the inexact number literals outside strings quoted. */
export function quoteInexactNumbers(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    let j = i + 1;
    while (j < text.length && /[0-9eE+\-.]/.test(text[j]!)) j++;
    const literal = text.slice(i, j);
    if (!isExact(literal)) {
      out += text.slice(from, i) + '"' + literal + '"';
      from = j;
    }
    i = j - 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** JSONEachRow text into rows; `exact`: inexact numbers as strings (see quoteInexactNumbers). */
export function parseJsonEachRow<T>(text: string, exact = false): T[] {
  const rows: T[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const line = text.slice(start, end);
      rows.push(JSON.parse(exact ? quoteInexactNumbers(line) : line) as T);
    }
    start = end + 1;
  }
  return rows;
}
