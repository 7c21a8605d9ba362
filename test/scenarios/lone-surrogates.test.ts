/**
 * JSON may escape a UTF-16 surrogate on its own (`"svc-\ud800"`): valid JSON
 * syntax, but not a Unicode string. Such a value used to pass validation and
 * reach the store, where ClickHouse refuses the JSONEachRow batch holding it
 * (CANNOT_PARSE_ESCAPE_SEQUENCE, not retryable): the writer failed and the
 * replay aborted — in live mode, the same record crashed every restart.
 *
 * Now an event with such a value in a field the engine reads is a dead
 * letter naming the field (as a line of invalid UTF-8 bytes is), and no
 * stored text may hold a lone surrogate whatever its origin: a dead-letter
 * reason that quotes the start of a long value no longer cuts a surrogate
 * pair in two.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertShape, fixturesDir, replayFixture } from '../helpers/replay-fixture.js';
import { openEmbeddedStore } from '../../store/open-store.js';

describe('replay of events holding lone surrogates', () => {
  it('dead-letters them with the field, stores the rest, and is otherwise as without them', async () => {
    const lines = readFileSync(join(fixturesDir, 'rogue-version.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const middle = Math.floor(lines.length / 2);
    const loneInArtifact = '{"type":"index","eventId":"ls-1","occurredAt":"2026-11-27T11:02:00.000Z","env":"staging","artifact":"svc-\\ud800","op":"read","instance":"i1","servedDigest":"sha256:w5","latencyMs":8,"status":"ok"}';
    const loneLowInInstance = '{"type":"index","eventId":"ls-2","occurredAt":"2026-11-27T11:02:00.000Z","env":"staging","artifact":"web","op":"read","instance":"i\\udc00","servedDigest":"sha256:w5","latencyMs":8,"status":"ok"}';
    // 39 characters, then an emoji (a surrogate pair) across the 40th: the reason quotes the value's first 40.
    const pairCut = `{"type":"index","eventId":"ls-3","occurredAt":"2026-11-27T11:02:00.000Z","env":"${'x'.repeat(39)}😀/a","artifact":"web","op":"read","instance":"i1","servedDigest":"sha256:w5","latencyMs":8,"status":"ok"}`;
    // A lone surrogate in a value that is refused for another reason (not one of the phases): the reason quotes it as U+FFFD.
    const badPhase = '{"type":"promotion","eventId":"ls-4","occurredAt":"2026-11-27T11:02:00.000Z","env":"staging","artifact":"web","promotionId":"p-9","phase":"\\ud800"}';
    const added = [loneInArtifact, loneLowInInstance, pairCut, badPhase];
    const dir = mkdtempSync(join(tmpdir(), 'dw-lone-'));
    const withLines = join(dir, 'with.ndjson');
    writeFileSync(withLines, [...lines.slice(0, middle), ...added, ...lines.slice(middle)].join('\n') + '\n');
    const withoutLines = join(dir, 'without.ndjson');
    writeFileSync(withoutLines, [...lines.slice(0, middle), '', '', '', '', ...lines.slice(middle)].join('\n') + '\n'); // same line numbers

    const clean = await replayFixture(withoutLines);
    const out = await replayFixture(withLines, { store: true });

    const reasons = out.dlq.filter((d) => d.line > middle && d.line <= middle + 4).map((d) => [d.line, d.reason]);
    expect(reasons).toEqual([
      [middle + 1, 'artifact: not well-formed Unicode: holds a lone surrogate (an unpaired \\uD800–\\uDFFF escape)'],
      [middle + 2, 'instance: not well-formed Unicode: holds a lone surrogate (an unpaired \\uD800–\\uDFFF escape)'],
      [middle + 3, `env: must not contain "/", got "${'x'.repeat(39)}…"`],
      [middle + 4, 'phase: expected one of started, gate, snapshot, succeeded, failed, rolled_back, got "\ufffd"'],
    ]);
    expect(out.summary.events).toBe(clean.summary.events);
    expect(out.incidents).toEqual(clean.incidents);
    expect(out.alerts.map(alertShape)).toEqual(clean.alerts.map(alertShape));

    const store = await openEmbeddedStore(join(out.outDir, 'store'));
    try {
      const stored = await store.query(`SELECT count() AS n FROM driftwatch.dead_letters`);
      expect(Number(stored[0]!.n)).toBe(out.dlq.length);
    } finally {
      await store.close();
    }
  });
});
