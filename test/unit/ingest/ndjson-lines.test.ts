/**
 * The NDJSON line reader: numbering, CRLF, a last line without a newline,
 * multi-byte characters cut by chunk boundaries, lines that are not valid
 * UTF-8 (their bytes come along, for the decoder to reject), and the bound
 * on a line's length — an over-long line comes out once, with its start and
 * its full length, wherever the chunk boundaries fall, and reading goes on
 * at the next newline (engine/ndjson-lines.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLineChunks, type NumberedLine } from '../../../engine/ndjson-lines.js';
import { readSortedLines } from '../../../engine/sorted-lines.js';

function file(text: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dw-lines-')), 'in.ndjson');
  writeFileSync(path, text);
  return path;
}

async function readAll(path: string, options: { chunkBytes?: number; maxLineBytes?: number } = {}): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  for await (const chunk of readLineChunks(path, options)) out.push(...chunk);
  return out;
}

describe('readLineChunks', () => {
  it('numbers lines from 1, drops the CR of CRLF, keeps blank lines, reads a last line without a newline', async () => {
    expect(await readAll(file('a\r\n\nb\nc'), { chunkBytes: 2 })).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '' },
      { line: 3, text: 'b' },
      { line: 4, text: 'c' },
    ]);
  });

  it.each([1, 2, 4, 1 << 20])('chunks of %i bytes: a UTF-8 byte order mark at the start of the file is not part of the first line', async (chunkBytes) => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect((await readAll(file(Buffer.concat([bom, Buffer.from('{"a":1}\n\ufeffnot at the start\n')])), { chunkBytes })).map((l) => l.text)).toEqual([
      '{"a":1}',
      '\ufeffnot at the start',
    ]);
    expect((await readAll(file(Buffer.concat([bom.subarray(0, 2), Buffer.from('x\n')])), { chunkBytes })).map((l) => l.raw?.toString('hex'))).toEqual(['efbb78']);
  });

  it.each([1, 2, 3, 5, 64])('chunks of %i bytes: multi-byte characters cut by a chunk boundary come out whole', async (chunkBytes) => {
    const lines = ['ünïcødé', '日本語', '🚀🔥', 'e\u0301', 'plain'];
    expect((await readAll(file(lines.join('\n') + '\n'), { chunkBytes })).map((l) => l.text)).toEqual(lines);
  });

  it('a line that is not valid UTF-8 comes with its bytes; the lines around it as they are', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"<ff fe>"}
    const overlong = Buffer.from([0xc0, 0xaf]); // an overlong encoding of "/"
    const input = Buffer.concat([Buffer.from('ok 1\n'), bad, Buffer.from('\nok é\n'), overlong, Buffer.from('\r\n')]);
    for (const chunkBytes of [3, 1 << 20]) {
      const lines = await readAll(file(input), { chunkBytes });
      expect(lines.map((l) => [l.line, l.text.includes('\ufffd') ? 'lossy' : l.text, l.raw?.toString('hex')])).toEqual([
        [1, 'ok 1', undefined],
        [2, 'lossy', bad.toString('hex')],
        [3, 'ok é', undefined],
        [4, 'lossy', 'c0af'],
      ]);
    }
  });

  const long = 'x'.repeat(2_500);
  const text = `first\n${long}\nafter\n${'y'.repeat(1_200)}\n\nlast ${long}`;
  it.each([7, 64, 1_000, 4_096, 1 << 20])('chunks of %i characters: over-long lines come out once with their start and length, the rest as they are', async (chunkBytes) => {
    const lines = await readAll(file(text), { chunkBytes, maxLineBytes: 1_000 });
    expect(lines.map((l) => [l.line, l.overLong?.bytes ?? l.text])).toEqual([
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

  it('the start kept of an over-long line is that line alone, also when it is shorter than the start kept', async () => {
    // Limit 1000, line of 1010 bytes: its head (up to 1024 bytes) used to run on into the next line.
    const lines = await readAll(file(`${'w'.repeat(1_010)}\nnext\n`), { maxLineBytes: 1_000 });
    expect(lines.map((l) => [l.line, l.text, l.overLong?.bytes])).toEqual([
      [1, 'w'.repeat(1_010), 1_010],
      [2, 'next', undefined],
    ]);
  });

  it('a line exactly at the limit is a line', async () => {
    const lines = await readAll(file(`${'z'.repeat(1_000)}\nok\n`), { chunkBytes: 300, maxLineBytes: 1_000 });
    expect(lines.map((l) => [l.line, l.overLong?.bytes ?? l.text.length])).toEqual([
      [1, 1_000],
      [2, 2],
    ]);
    expect(lines[0]!.overLong).toBeUndefined();
  });
});

describe('readSortedLines (replay --sort)', () => {
  it('bounds and checks lines the same way: over-long and invalid lines come first, to be rejected', async () => {
    const over = `{"occurredAt":"2026-01-01T00:00:00.000Z","pad":"${'p'.repeat((1 << 20) + 10)}"}`;
    const invalid = Buffer.from('{"occurredAt":"2026-01-01T00:00:00.000Z","x":"\xff"}', 'latin1');
    const lines = await readSortedLines(file(Buffer.concat([Buffer.from(`{"occurredAt":"2026-01-02T00:00:00.000Z"}\n${over}\n`), invalid, Buffer.from('\n')])));
    expect(lines.map((l) => [l.line, l.overLong?.bytes, l.raw !== undefined])).toEqual([
      [2, over.length, false],
      [3, undefined, true],
      [1, undefined, false],
    ]);
  });

  it('orders by the time the engine reads: a leap second after 23:59:59, not in front as if unreadable', async () => {
    // 23:59:60 on a month's last day is read as 23:59:59.999 (lib/time.ts). Put in front, it would raise the
    // watermark to the end of the day before the lines it follows, and make them late.
    const at = (t: string) => `{"occurredAt":"${t}"}`;
    const text = [at('2016-12-31T23:59:60Z'), at('2016-12-31T23:59:58.000Z'), at('2017-01-01T05:29:59.5+05:30'), at('2017-01-01T00:00:00.000Z')].join('\n');
    expect((await readSortedLines(file(text))).map((l) => l.line)).toEqual([2, 3, 1, 4]);
  });
});
