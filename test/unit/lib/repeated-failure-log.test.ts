import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/logger.js';
import { RepeatedFailureLog } from '../../../lib/repeated-failure-log.js';

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('RepeatedFailureLog', () => {
  it('logs the first failure at once, then one line per interval with the count, and the recovery', () => {
    const { logger, lines } = recorder();
    let t = 0;
    const log = new RepeatedFailureLog(logger, 'idle tick', 30_000, () => t);
    // A 65 s outage with a failure every 250 ms: 261 failures.
    for (; t <= 65_000; t += 250) log.failed(new Error('connect ECONNREFUSED'));
    log.succeeded();
    expect(lines.map((l) => [l.msg, l.failures, l.failingForMs ?? l.failedForMs])).toEqual([
      ['idle tick failed', undefined, undefined],
      ['idle tick still failing', 120, 30_000],
      ['idle tick still failing', 120, 60_000],
      ['idle tick works again', 261, 65_250],
    ]);
    expect((lines[0]!.err as { message: string }).message).toBe('connect ECONNREFUSED');
  });

  it('says nothing while things work, and starts over after a recovery', () => {
    const { logger, lines } = recorder();
    let t = 0;
    const log = new RepeatedFailureLog(logger, 'idle tick', 30_000, () => t);
    log.succeeded();
    log.failed(new Error('a'));
    t = 1_000;
    log.succeeded();
    t = 2_000;
    log.failed(new Error('b'));
    expect(lines.map((l) => l.msg)).toEqual(['idle tick failed', 'idle tick works again', 'idle tick failed']);
  });
});
