/**
 * Streams the lines of an NDJSON file with their 1-based line numbers,
 * a chunk at a time (so the caller can apply backpressure between chunks)
 * without holding the file in memory.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../lib/errors.js';

export interface NumberedLine {
  line: number;
  text: string;
}

export async function* readLineChunks(path: string, chunkBytes = 1 << 20): AsyncGenerator<NumberedLine[]> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
  let carry = '';
  let lineNo = 0;
  try {
    for await (const piece of stream as AsyncIterable<string>) {
      const text = carry + piece;
      const out: NumberedLine[] = [];
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        lineNo++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        out.push({ line: lineNo, text: text.slice(start, end) });
        start = nl + 1;
      }
      carry = text.slice(start);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (carry.length > 0) yield [{ line: lineNo + 1, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry }];
}
