/**
 * Text for people that quotes values whoever produced an event chose (an
 * env, an artifact, a digest): `driftwatch query`'s table cells, an alert's
 * summary and description. Characters that would act on a terminal or the
 * layout rather than show are written as escapes: C0 and C1 controls and DEL
 * (ESC and CSI sequences drive the terminal, CR overwrites the line, an OSC 8
 * sequence makes a hidden link), line and paragraph separators, and the bidi
 * overrides and isolates (they reverse what follows). Everything else —
 * letters of any script, emoji, combining marks — stays as it is.
 */
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every such character as `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`. */
export function visibleText(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}

/**
 * `text` cut to at most `max` UTF-16 units with `…` appended when cut, never
 * inside a surrogate pair. For free text an event carries without a bound (a
 * promotion's `reason`, up to the 1 MiB event limit) that a message quotes:
 * quoted whole, ten of them made an alert of megabytes, which the broker
 * refuses for good (MESSAGE_TOO_LARGE), stopping the pipeline.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
