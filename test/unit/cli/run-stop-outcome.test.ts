/**
 * How `driftwatch run` ends once its stop is over. A stop that overran the
 * 30 s deadline exited 1 with only a JSON log line, where every other failure
 * of `run` also prints one plain `driftwatch run: …` line on stderr.
 */
import { describe, expect, it } from 'vitest';
import { reportStopOutcome } from '../../../cli/commands/run-stop-outcome.js';
import { STOP_DEADLINE_MS } from '../../../cli/commands/run.js';
import { capturingLogger } from '../../helpers/capturing-logger.js';
import type { LogLine } from '../../helpers/stand-in-runner.js';

function report(stopped: { clean: boolean } | null, failure: Error | null = null) {
  const logs: LogLine[] = [];
  let stderr = '';
  const code = reportStopOutcome({ stopped, failure, deadlineMs: STOP_DEADLINE_MS }, capturingLogger(logs), { write: (t: string) => ((stderr += t), true) });
  return { code, stderr, logs };
}

describe('driftwatch run: the end of its stop', () => {
  it('a stop past the deadline: exit 1, one plain line on stderr and the log record, both saying so', () => {
    const { code, stderr, logs } = report(null);
    expect(code).toBe(1);
    expect(stderr).toBe('driftwatch run: shutdown did not finish within 30s (broker unreachable?); exiting anyway\n');
    expect(logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['shutdown did not finish within 30s (broker unreachable?); exiting anyway']);
  });

  it('a final commit that failed: exit 1 and its line; a clean stop: exit 0 and nothing said', () => {
    expect(report({ clean: false })).toMatchObject({ code: 1, stderr: expect.stringMatching(/^driftwatch run: the final commit failed; /) });
    expect(report({ clean: true })).toMatchObject({ code: 0, stderr: '', logs: [] });
  });

  it('after a failure already reported (fenced, failed): exit 1 without another line', () => {
    expect(report({ clean: false }, new Error('fenced'))).toMatchObject({ code: 1, stderr: '' });
  });
});
