/**
 * An alert's summary must not contradict itself: a mean just over its target,
 * rounded to the second, read as the target itself ("take 5m on average
 * (target < 5m)").
 */
import { describe, expect, it } from 'vitest';
import { duration, durationOver } from '../../../processors/alerting/format.js';

describe('durationOver', () => {
  it('says "just over" when the value rounds to its threshold but exceeds it', () => {
    expect(durationOver(300_400, 300_000)).toBe('just over 5m');
    expect(durationOver(1_800_001, 1_800_000)).toBe('just over 30m');
  });

  it('is duration() whenever the rounded value already tells it apart', () => {
    expect(durationOver(312_000, 300_000)).toBe(duration(312_000));
    expect(durationOver(300_000, 300_000)).toBe('5m');
    expect(durationOver(240_000, 300_000)).toBe('4m');
  });
});
