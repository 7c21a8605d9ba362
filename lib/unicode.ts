/**
 * Lone UTF-16 surrogates. JSON may escape a surrogate on its own
 * (`"svc-\ud800"`): valid JSON syntax, but no Unicode string. ClickHouse
 * refuses a JSONEachRow batch holding one (CANNOT_PARSE_ESCAPE_SEQUENCE, not
 * retryable), so a single such value failed the store writer and with it the
 * replay, or crashed live mode on every restart. Input events holding one in
 * a field the engine reads are dead letters (schemas/dsl.ts); these helpers
 * keep any other text (a reason quoting a value, an unknown origin) storable.
 *
 * `isWellFormed` / `toWellFormed` are ES2024 (Node 20 has them); the project's
 * ES2022 lib does not declare them, hence the typed access here.
 */
type Es2024String = { isWellFormed(): boolean; toWellFormed(): string };

/** Whether `text` holds no surrogate without its partner. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as Es2024String).isWellFormed();
}

/** `text` with every lone surrogate replaced by U+FFFD. */
export function toWellFormed(text: string): string {
  return (text as unknown as Es2024String).toWellFormed();
}

/**
 * JSON text made by JSON.stringify with every escaped lone surrogate replaced
 * by `\ufffd`. JSON.stringify writes a surrogate pair as its characters and a
 * lone surrogate as a `\udxxx` escape, so in its output every such escape is a
 * lone one; an escaped backslash (`\\`) is skipped whole, so text that merely
 * reads `\ud800` stays as it is.
 */
export function jsonWithoutLoneSurrogates(json: string): string {
  if (json.indexOf('\\ud') === -1) return json; // the common case: nothing to scan
  return json.replace(/\\(\\|ud[89a-f][0-9a-f]{2})/g, (escape: string) => (escape === '\\\\' ? escape : '\\ufffd'));
}

/** The first `n` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair (no lone half left behind). */
export function startOf(text: string, n: number): string {
  if (text.length <= n) return text;
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/**
 * A value quoted in a dead-letter reason: its first `n` characters as a JSON
 * string (lone surrogates escaped), `…` after when it was cut. A reason
 * travels in the DLQ's `dw-error` header, and a value may be most of a 1 MB
 * record.
 */
export function quotedStart(text: string, n = 40): string {
  return text.length <= n ? JSON.stringify(text) : `${JSON.stringify(startOf(text, n))}…`;
}
