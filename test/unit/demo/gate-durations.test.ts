import { describe, expect, it } from 'vitest';
import { gateDurationMs, gates } from '../../../engine/demo/episode-steps.js';

describe('demo gate durations', () => {
  it('fit in the gate slice, are the same for the same promotion, and differ by gate as real gates do', () => {
    const slice = 60_000;
    for (const pid of ['p1', 'p2', 'prod-web-17']) {
      for (const gate of gates) {
        const d = gateDurationMs(slice, gate, pid);
        expect(d).toBeGreaterThan(0);
        expect(d).toBeLessThanOrEqual(slice);
        expect(gateDurationMs(slice, gate, pid)).toBe(d);
      }
      // shares 0.6 / 0.8 / 0.3 with ±20 % jitter: integration tests always outlast smoke
      expect(gateDurationMs(slice, 'integration-tests', pid)).toBeGreaterThan(gateDurationMs(slice, 'smoke', pid));
    }
  });
});
