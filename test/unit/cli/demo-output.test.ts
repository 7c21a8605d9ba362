/**
 * What `driftwatch demo` prints about event time: the progress line on stderr and the closing summary on stdout.
 * The end of input moves the engine's event time past every window and timer, a day past the last event for
 * snapshot_not_verified's 24 h window; the last progress line used to show that time ("event time" a day after the
 * demo's span), as if the scenario had run that long. It shows the scenario's last event time, marked as the end of
 * input, and the summary says what the end of input resolved.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

const env = () => ({ DRIFTWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'dw-demo-output-')) });
/** `--duration 30m` of seed 1, unpaced: a snapshot is still unverified when events end (a snapshot_not_verified alert firing). */
const demo = () => runCli(['demo', '--no-store', '--duration', '30m', '--seed', '1', '--rate', '0'], env());

/** The `<start> → <end>` span of the summary's first line, as epoch ms. */
function span(stdout: string): { start: number; end: number } {
  const m = /records over (\S+) → (\S+)/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return { start: Date.parse(m![1]!), end: Date.parse(m![2]!) };
}

describe('demo output: event time', () => {
  it("the last progress line shows the scenario's last event time, marked as the end of input", async () => {
    const r = await demo();
    expect(r.code).toBe(0);
    const { start, end } = span(r.stdout);
    const last = r.stderr.trim().split('\n').filter((l) => l.startsWith('events ')).at(-1)!;
    const m = /\| event time (\S+ \S+) \(end of input\) \|/.exec(last);
    expect(m, last).not.toBeNull();
    const shown = Date.parse(m![1]!.replace(' ', 'T'));
    // The progress line shows whole seconds: the last event's time, cut to its second.
    expect(shown).toBe(Math.floor(end / 1000) * 1000);
    expect(shown).toBeGreaterThanOrEqual(start);
  });

  it('the summary says that the end of input resolved the time-based alerts, apart from the span', async () => {
    const r = await demo();
    expect(r.stdout).toMatch(/^driftwatch demo — seed 1, [\d,]+ records over \S+ → \S+$/m);
    expect(r.stdout).toContain(
      'End of input: event time was moved past every window and timer after the last event; that resolved 1 alert (snapshot_not_verified 1) and no incident.',
    );
  });
});

describe('demo output: a run with nothing injected', () => {
  it('says plainly that nothing was injected, and claims nothing was found', async () => {
    // Five minutes of seed 1: too short for any episode of the scenario.
    const r = await runCli(['demo', '--no-store', '--duration', '5m', '--seed', '1', '--rate', '0'], env());
    expect(r.code).toBe(0);
    const incidents = r.stdout.split('\n').filter((l) => l.startsWith('Incidents:'));
    expect(incidents).toEqual(['Incidents: none injected in this run (episodes come now and then, whole ones only: try a longer --duration), 0 found']);
    expect(r.stdout).not.toMatch(/all found|injected kind/);
    // Nor does it judge a detection delay measured over no incident against the 5-minute requirement.
    const detection = r.stdout.split('\n').filter((l) => l.startsWith('Detection delay'));
    expect(detection).toEqual(['Detection delay (detectedAt − startedAt, event time): no incident found, nothing to measure']);
  });
});
