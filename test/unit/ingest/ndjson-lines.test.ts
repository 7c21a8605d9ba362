/**
 * The NDJSON line reader: numbering, CRLF, a last line without a newline,
 * and the bound on a line's length — an over-long line comes out once, with
 * its start and its full length, wherever the chunk boundaries fall, and
 * reading goes on at the next newline (engine/ndjson-lines.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLineChunks, type NumberedLine } from '../../../engine/ndjson-lines.js';
import { readSortedLines } from '../../../engine/sorted-lines.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dw-lines-')), 'in.ndjson');
  writeFileSync(path, text);
  return path;
}

async function readAll(path: string, options: { chunkChars?: number; maxLineChars?: number } = {}): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  for await (const chunk of readLineChunks(path, options)) out.push(...chunk);
  return out;
}

describe('readLineChunks', () => {
  it('numbers lines from 1, drops the CR of CRLF, keeps blank lines, reads a last line without a newline', async () => {
    expect(await readAll(file('a\r\n\nb\nc'), { chunkChars: 2 })).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '' },
      { line: 3, text: 'b' },
      { line: 4, text: 'c' },
    ]);
  });

  const long = 'x'.repeat(2_500);
  const text = `first\n${long}\nafter\n${'y'.repeat(1_200)}\n\nlast ${long}`;
  it.each([7, 64, 1_000, 4_096, 1 << 20])('chunks of %i characters: over-long lines come out once with their start and length, the rest as they are', async (chunkChars) => {
    const lines = await readAll(file(text), { chunkChars, maxLineChars: 1_000 });
    expect(lines.map((l) => [l.line, l.overLong?.chars ?? l.text])).toEqual([
      [1, 'first'],
      [2, 2_500],
      [3, 'after'],
      [4, 1_200],
      [5, ''],
      [6, 2_505], // the last line, over-long and without a newline
    ]);
    for (const l of lines.filter((x) => x.overLong)) {
      expect(l.overLong!.limit).toBe(1_000);
      expect(l.text.length).toBeLessThanOrEqual(1_024);
      expect(l.text.length).toBeGreaterThan(0);
    }
  });

  it('a line exactly at the limit is a line', async () => {
    const lines = await readAll(file(`${'z'.repeat(1_000)}\nok\n`), { chunkChars: 300, maxLineChars: 1_000 });
    expect(lines.map((l) => [l.line, l.overLong?.chars ?? l.text.length])).toEqual([
      [1, 1_000],
      [2, 2],
    ]);
    expect(lines[0]!.overLong).toBeUndefined();
  });
});

describe('readSortedLines (replay --sort)', () => {
  it('bounds lines the same way: an over-long line comes first with its start and length', async () => {
    const over = `{"occurredAt":"2026-01-01T00:00:00.000Z","pad":"${'p'.repeat((1 << 20) + 10)}"}`;
    const lines = await readSortedLines(file(`{"occurredAt":"2026-01-02T00:00:00.000Z"}\n${over}\n`));
    expect(lines.map((l) => [l.line, l.overLong?.chars])).toEqual([
      [2, over.length],
      [1, undefined],
    ]);
  });
});
