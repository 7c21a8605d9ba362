/**
 * `replay --sort`: reads a whole NDJSON file and yields its lines in event-time
 * order (stable; lines without a readable occurredAt keep their place at the
 * front, they are rejected later anyway). For files whose order says nothing
 * about arrival (exports concatenated per type, shuffled dumps). It holds the
 * file in memory, so it is opt-in; the default replays in file order, like
 * live mode sees arrival order.
 */
import { readLineChunks, type NumberedLine } from './ndjson-lines.js';
import { parseTimestamp } from '../lib/time.js';

const OCCURRED_AT = /"occurredAt"\s*:\s*"([^"]+)"/;

export async function readSortedLines(path: Parameters<typeof readLineChunks>[0]): Promise<NumberedLine[]> {
  // The same reader as file order: the same line bound and UTF-8 check (ndjson-lines.ts).
  const lines: NumberedLine[] = [];
  for await (const chunk of readLineChunks(path)) for (const l of chunk) lines.push(l);
  const keyed = lines.map((numbered) => {
    // Over-long and invalid lines are dead-lettered: in front, like every line without a readable time.
    const m = numbered.overLong || numbered.raw ? null : OCCURRED_AT.exec(numbered.text);
    // The engine's own reading (lib/time.ts), not Date.parse: a leap second, which Date.parse refuses, would come
    // first as unreadable, raise the watermark to its day's end and make every line before it late.
    const t = m ? parseTimestamp(m[1]!) : Number.NaN;
    return { t: Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t, numbered };
  });
  keyed.sort((a, b) => a.t - b.t || a.numbered.line - b.numbered.line);
  return keyed.map((k) => k.numbered);
}
