/**
 * Streams the lines of an NDJSON file with their 1-based line numbers,
 * a chunk at a time (so the caller can apply backpressure between chunks)
 * without holding the file in memory.
 *
 * A line is bounded (`maxLineChars`, default MAX_LINE_CHARS): an event is a
 * few hundred bytes, and a file that is not NDJSON at all (a binary, a dump
 * without newlines) must not make the reader gather one ever-growing line —
 * that took minutes and gigabytes before failing the whole replay with
 * "Invalid string length" at V8's string limit, losing every line after it.
 * An over-long line is yielded with its start only and `overLong` (its
 * full length) so it is dead-lettered like any bad line, and reading goes on
 * at the next newline.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../lib/errors.js';

/** 1 Mi characters: Kafka's default message limit is 1 MB, so live mode never sees a longer event either. */
export const MAX_LINE_CHARS = 1 << 20;

/** How much of an over-long line is kept (for its dead letter). */
export const OVER_LONG_HEAD_CHARS = 1024;

export interface NumberedLine {
  line: number;
  text: string;
  /** Set when the line was longer than the limit: its full length and the limit; `text` is then only its start. */
  overLong?: { chars: number; limit: number };
}

export async function* readLineChunks(path: string, options: { chunkChars?: number; maxLineChars?: number } = {}): AsyncGenerator<NumberedLine[]> {
  const maxLineChars = options.maxLineChars ?? MAX_LINE_CHARS;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkChars ?? 1 << 20 });
  let carry = '';
  let lineNo = 0;
  /** The over-long line being skipped to its newline, if any. */
  let skipping: { line: number; head: string; chars: number } | undefined;
  try {
    for await (const piece of stream as AsyncIterable<string>) {
      const text = carry + piece;
      const out: NumberedLine[] = [];
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (skipping) {
          if (nl < 0) {
            skipping.chars += text.length - start;
            start = text.length;
            break;
          }
          skipping.chars += nl - start;
          out.push({ line: skipping.line, text: skipping.head, overLong: { chars: skipping.chars, limit: maxLineChars } });
          skipping = undefined;
          start = nl + 1;
          continue;
        }
        if (nl < 0) break;
        lineNo++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end - start > maxLineChars) out.push({ line: lineNo, text: text.slice(start, start + OVER_LONG_HEAD_CHARS), overLong: { chars: end - start, limit: maxLineChars } });
        else out.push({ line: lineNo, text: text.slice(start, end) });
        start = nl + 1;
      }
      carry = text.slice(start);
      if (carry.length > maxLineChars) {
        skipping = { line: ++lineNo, head: carry.slice(0, OVER_LONG_HEAD_CHARS), chars: carry.length };
        carry = '';
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (skipping) yield [{ line: skipping.line, text: skipping.head, overLong: { chars: skipping.chars, limit: maxLineChars } }];
  else if (carry.length > 0) yield [{ line: lineNo + 1, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry }];
}
