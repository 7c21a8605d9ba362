/**
 * `replay --sort`: reads a whole NDJSON file and yields its lines in event-time
 * order (stable; lines without a readable occurredAt keep their place at the
 * front, they are rejected later anyway). For files whose order says nothing
 * about arrival (exports concatenated per type, shuffled dumps). It holds the
 * file in memory, so it is opt-in; the default replays in file order, like
 * live mode sees arrival order.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../lib/errors.js';
import { MAX_LINE_CHARS, OVER_LONG_HEAD_CHARS, type NumberedLine } from './ndjson-lines.js';

const OCCURRED_AT = /"occurredAt"\s*:\s*"([^"]+)"/;

export async function readSortedLines(path: string): Promise<NumberedLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const keyed = lines.map((raw, i): NumberedLine & { t: number } => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Bounded as in file order (ndjson-lines.ts): dead-lettered with its start, in front like every unreadable line.
    if (line.length > MAX_LINE_CHARS) return { t: Number.NEGATIVE_INFINITY, line: i + 1, text: line.slice(0, OVER_LONG_HEAD_CHARS), overLong: { chars: line.length, limit: MAX_LINE_CHARS } };
    const m = OCCURRED_AT.exec(line);
    const t = m ? Date.parse(m[1]!) : Number.NaN;
    return { t: Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t, line: i + 1, text: line };
  });
  keyed.sort((a, b) => a.t - b.t || a.line - b.line);
  return keyed.map(({ t: _t, ...numbered }) => numbered);
}
