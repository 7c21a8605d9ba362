/**
 * Lines that cannot be read as events are dead-lettered with the reason, and
 * everything else is replayed as if they were not there.
 *
 * A line far longer than any event (here 3 MB of one JSON string, as a
 * runaway producer or a file that is not NDJSON would give) is dead-lettered
 * with its line number, length and the limit, keeping only its start, and
 * the lines after it are replayed as if it were not there. Before the bound
 * (engine/ndjson-lines.ts) the reader gathered such a line whole: a 600 MB
 * one took 2 minutes and 3 GB, then failed the replay, losing every line
 * after it.
 *
 * A line that is not valid UTF-8 — here a valid event but for one byte in
 * an instance name — is rejected as live mode rejects the same bytes in a
 * Kafka message, rather than processed with the byte turned into U+FFFD (a
 * corrupted instance, a phantom source) as it was when the file was decoded
 * as a stream of text.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import { MAX_LINE_BYTES } from '../../engine/ndjson-lines.js';

describe('replay of a file with unreadable lines', () => {
  it.each([false, true])('sort %s: the line is a dead letter with its length; everything else as without it', async (sort) => {
    const lines = readFileSync(join(fixturesDir, 'rogue-version.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const middle = Math.floor(lines.length / 2);
    const huge = `{"type":"index","blob":"${'A'.repeat(3_000_000)}"}`;
    const dir = mkdtempSync(join(tmpdir(), 'dw-overlong-'));
    const withLine = join(dir, 'with.ndjson');
    writeFileSync(withLine, [...lines.slice(0, middle), huge, ...lines.slice(middle)].join('\n') + '\n');

    const clean = await replayFixture('rogue-version.ndjson', { sort });
    const out = await replayFixture(withLine, { sort });

    expect(out.dlq).toHaveLength(clean.dlq.length + 1);
    const dead = out.dlq.find((d) => d.line === middle + 1)!;
    expect(dead.reason).toBe(
      `line of ${huge.length} bytes: longer than the ${MAX_LINE_BYTES} an input line may hold (one event; Kafka's default message limit is 1 MB); only its start was read`,
    );
    expect(huge.startsWith(dead.raw)).toBe(true);
    expect(dead.raw.length).toBeLessThanOrEqual(1_024);
    expect(out.summary.deadLetters).toBe(clean.summary.deadLetters + 1);
    expect(out.summary.events).toBe(clean.summary.events);
    expect(out.incidents).toEqual(clean.incidents);
    expect(out.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));
  });

  it.each([false, true])('sort %s: a line that is not valid UTF-8 is a dead letter, as in live mode', async (sort) => {
    const lines = readFileSync(join(fixturesDir, 'rogue-version.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const middle = lines.findIndex((l, i) => i >= lines.length / 2 && l.includes('"instance":"'));
    const [before, after] = lines[middle]!.split('"instance":"');
    const corrupted = Buffer.concat([Buffer.from(`${before}"instance":"`), Buffer.from([0xff]), Buffer.from(after!)]);
    const dir = mkdtempSync(join(tmpdir(), 'dw-notutf8-'));
    const withLine = join(dir, 'with.ndjson');
    writeFileSync(withLine, Buffer.concat([Buffer.from(lines.slice(0, middle).join('\n') + '\n'), corrupted, Buffer.from('\n' + lines.slice(middle + 1).join('\n') + '\n')]));
    const withoutLine = join(dir, 'without.ndjson');
    writeFileSync(withoutLine, [...lines.slice(0, middle), '', ...lines.slice(middle + 1)].join('\n') + '\n'); // same line numbers

    const clean = await replayFixture(withoutLine, { sort });
    const out = await replayFixture(withLine, { sort });
    // The text, readable but with U+FFFD for the bad byte, and the exact bytes to re-drive the line.
    const dead = { line: middle + 1, reason: 'invalid JSON: not valid UTF-8', raw: corrupted.toString('utf8'), rawBase64: corrupted.toString('base64') };
    expect(out.dlq).toEqual([...clean.dlq, dead].sort((a, b) => a.line - b.line));
    expect(Buffer.from(dead.rawBase64, 'base64').equals(corrupted)).toBe(true);
    expect(out.summary.events).toBe(clean.summary.events);
    expect(out.incidents).toEqual(clean.incidents);
    expect(out.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));
  });
});
