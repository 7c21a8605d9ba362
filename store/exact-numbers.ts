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
  // A fraction or exponent: exact when the double prints back as the same decimal value. Counting
  // digits (at most 15) quoted a Float64 that needs 16 or 17 to read back (10/13 = 0.7692307692307693),
  // so a ratio column came out a number in some rows and a string in others.
  return decimalValue(literal) === decimalValue(String(n));
}

/** A number literal as sign, significant digits and exponent ("1.50" and "15e-1" alike: "15e-1"). */
function decimalValue(literal: string): string {
  const [mantissa = '', exponent = '0'] = literal.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = mantissa.replace(/^[-+]/, '').split('.');
  let digits = (whole + fraction).replace(/^0+/, '');
  let exp = Number(exponent) - fraction.length;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exp += trailing;
  if (digits === '') return '0'; // -0 and 0 alike
  return `${negative ? '-' : ''}${digits}e${exp}`;
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
