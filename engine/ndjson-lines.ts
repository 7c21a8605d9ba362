/**
 * Streams the lines of an NDJSON file with their 1-based line numbers,
 * a chunk at a time (so the caller can apply backpressure between chunks)
 * without holding the file in memory.
 *
 * Lines are split on bytes and each must be valid UTF-8 (RFC 8259 §8.1), as
 * a Kafka message must (processors/decode.ts `textOf`): decoding the file
 * as a stream of text would turn invalid bytes into U+FFFD, and the event
 * would be processed with a corrupted field where live mode dead-letters
 * the same bytes. A line that is not valid UTF-8 comes with its bytes
 * (`raw`), which the decoder rejects.
 *
 * A line is bounded (`maxLineBytes`, default MAX_LINE_BYTES): an event is a
 * few hundred bytes, and a file that is not NDJSON at all (a binary, a dump
 * without newlines) must not make the reader gather one ever-growing line —
 * that took minutes and gigabytes before failing the whole replay with
 * "Invalid string length" at V8's string limit, losing every line after it.
 * An over-long line is yielded with its start only and `overLong` (its
 * full length) so it is dead-lettered like any bad line, and reading goes on
 * at the next newline.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { InputError } from '../lib/errors.js';
import { MAX_EVENT_BYTES } from '../processors/decode.js';

/** As long as an input record may be in either mode (processors/decode.ts). */
export const MAX_LINE_BYTES = MAX_EVENT_BYTES;

/** How many bytes of an over-long line are kept (for its dead letter). */
const OVER_LONG_HEAD_BYTES = 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
/**
 * A UTF-8 byte order mark at the start of the file (editors and tools on
 * Windows write one) is not part of the first line: RFC 8259 §8.1 lets a
 * parser ignore it, and JSON.parse would reject the first event for it.
 */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface NumberedLine {
  line: number;
  /** The line (without its newline or a CR before it); for an over-long line its start, for invalid UTF-8 a lossy decoding. */
  text: string;
  /** Set when the line was longer than the limit: its full length in bytes and the limit. */
  overLong?: { bytes: number; limit: number };
  /** Set when the line is not valid UTF-8: its bytes, for the decoder to reject. */
  raw?: Buffer;
}

export interface LineReaderOptions {
  chunkBytes?: number;
  maxLineBytes?: number;
}

/** Reads `input`: a file's path, or a stream of bytes (e.g. standard input; `path` then only names it in errors). */
export async function* readLineChunks(input: string | { stream: NodeJS.ReadableStream; path: string }, options: LineReaderOptions = {}): AsyncGenerator<NumberedLine[]> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const path = typeof input === 'string' ? input : input.path;
  const stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: options.chunkBytes ?? 1 << 20 }) : input.stream;
  let carry: Buffer = EMPTY;
  let lineNo = 0;
  /** The over-long line being skipped to its newline, if any. */
  let skipping: { line: number; head: string; bytes: number } | undefined;
  let atFileStart = true;
  const overLong = (s: { line: number; head: string; bytes: number }): NumberedLine => ({ line: s.line, text: s.head, overLong: { bytes: s.bytes, limit: max } });
  try {
    for await (const data of stream as AsyncIterable<Buffer | string>) {
      // A stream someone set an encoding on yields text: back to bytes, which is what the UTF-8 check needs.
      const piece = typeof data === 'string' ? Buffer.from(data) : data;
      const buf = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
      carry = EMPTY;
      const out: NumberedLine[] = [];
      let start = 0;
      if (atFileStart) {
        if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
          carry = buf; // may be the start of a BOM: decide with more bytes
          continue;
        }
        atFileStart = false;
        if (buf.subarray(0, BOM.length).equals(BOM)) start = BOM.length;
      }
      if (skipping) {
        const nl = buf.indexOf(NEWLINE);
        if (nl < 0) {
          skipping.bytes += buf.length;
          continue;
        }
        skipping.bytes += nl;
        out.push(overLong(skipping));
        skipping = undefined;
        start = nl + 1;
      }
      const lastNl = buf.lastIndexOf(NEWLINE);
      if (lastNl >= start) lineNo = splitLines(buf, start, lastNl, lineNo, max, out);
      carry = buf.subarray(Math.max(start, lastNl + 1));
      if (carry.length > max) {
        skipping = { line: ++lineNo, head: carry.toString('utf8', 0, OVER_LONG_HEAD_BYTES), bytes: carry.length };
        carry = EMPTY;
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (skipping) yield [overLong(skipping)];
  else if (carry.length > 0) {
    // The last line has no newline: give it one, so it is split (and stripped of a CR) like every other.
    const out: NumberedLine[] = [];
    splitLines(Buffer.concat([carry, Buffer.from([NEWLINE])]), 0, carry.length, lineNo, max, out);
    yield out;
  }
}

/**
 * Pushes the lines of `buf[start..lastNl]` (which ends with a newline) onto
 * `out`, numbered after `lineNo`; returns the last line number. One check
 * and one decoding for the whole block when it is ASCII (most files: byte
 * offsets are then character offsets); line by line otherwise.
 */
function splitLines(buf: Buffer, start: number, lastNl: number, lineNo: number, max: number, out: NumberedLine[]): number {
  const block = buf.subarray(start, lastNl + 1);
  // ASCII is checked first and decoded as latin1, which for ASCII bytes is the same text: V8's UTF-8 decoder
  // takes ~4 ns a byte even on pure ASCII (the largest single cost of reading a file), a latin1 copy a tenth of that.
  const isAsciiBlock = isAscii(block);
  const valid = isAsciiBlock || isUtf8(block);
  const decoded = isAsciiBlock ? block.toString('latin1') : valid ? block.toString('utf8') : undefined;
  const ascii = decoded !== undefined && decoded.length === block.length ? decoded : undefined;
  let s = start;
  while (s <= lastNl) {
    const nl = buf.indexOf(NEWLINE, s);
    lineNo++;
    const e = nl > s && buf[nl - 1] === CR ? nl - 1 : nl;
    if (e - s > max) out.push({ line: lineNo, text: buf.toString('utf8', s, Math.min(e, s + OVER_LONG_HEAD_BYTES)), overLong: { bytes: e - s, limit: max } });
    else if (ascii !== undefined) out.push({ line: lineNo, text: ascii.slice(s - start, e - start) });
    else if (valid || isUtf8(buf.subarray(s, e))) out.push({ line: lineNo, text: buf.toString('utf8', s, e) });
    else out.push({ line: lineNo, text: buf.toString('utf8', s, e), raw: Buffer.from(buf.subarray(s, e)) });
    s = nl + 1;
  }
  return lineNo;
}
