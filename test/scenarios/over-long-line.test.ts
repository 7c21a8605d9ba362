/**
 * A line far longer than any event (here 3 MB of one JSON string, as a
 * runaway producer or a file that is not NDJSON would give) is dead-lettered
 * with its line number, length and the limit, keeping only its start, and
 * the lines after it are replayed as if it were not there. Before the bound
 * (engine/ndjson-lines.ts) the reader gathered such a line whole: a 600 MB
 * one took 2 minutes and 3 GB, then failed the replay, losing every line
 * after it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import { MAX_LINE_CHARS } from '../../engine/ndjson-lines.js';

describe('replay of a file with an over-long line', () => {
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
      `line of ${huge.length} characters: longer than the ${MAX_LINE_CHARS} an input line may hold (one event; Kafka's default message limit is 1 MB); only its start was read`,
    );
    expect(huge.startsWith(dead.raw)).toBe(true);
    expect(dead.raw.length).toBeLessThanOrEqual(1_024);
    expect(out.summary.deadLetters).toBe(clean.summary.deadLetters + 1);
    expect(out.summary.events).toBe(clean.summary.events);
    expect(out.incidents).toEqual(clean.incidents);
    expect(out.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));
  });
});
