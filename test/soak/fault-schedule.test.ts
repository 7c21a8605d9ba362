/**
 * The soak's fault schedule: a seed names one schedule, it never asks for
 * more processes than allowed, and with scale-out off it keeps to the one id.
 */
import { describe, it, expect } from 'vitest';
import { FaultSchedule, type ClusterState, type Fault } from './fault-schedule.js';

/** Applies faults to a model cluster (a stop is immediate here) and returns them. */
function run(seed: number, maxRunning: number, scaleOut: boolean, steps: number): { faults: Fault[]; most: number } {
  const s = new FaultSchedule(seed, { maxRunning, scaleOut });
  const running = new Set([s.newInstance()]);
  const all = new Set(running);
  const faults: Fault[] = [];
  let most = running.size;
  for (let i = 0; i < steps; i++) {
    const state: ClusterState = { running: [...running], stopped: [...all].filter((id) => !running.has(id)) };
    const f = s.next(state);
    faults.push(f);
    if (f.kind === 'kill' || f.kind === 'term') {
      expect(running.has(f.instance)).toBe(true);
      running.delete(f.instance);
    } else {
      expect(running.has(f.instance)).toBe(false);
      if (f.kind === 'restart') expect(all.has(f.instance)).toBe(true);
      else expect(all.has(f.instance)).toBe(false);
      running.add(f.instance);
      all.add(f.instance);
    }
    most = Math.max(most, running.size);
  }
  return { faults, most };
}

describe('soak fault schedule', () => {
  it('one seed, one schedule; another seed, another', () => {
    expect(run(7, 3, true, 200).faults).toEqual(run(7, 3, true, 200).faults);
    expect(run(8, 3, true, 200).faults).not.toEqual(run(7, 3, true, 200).faults);
  });

  it('never more processes than allowed, and every kind of fault happens', () => {
    const { faults, most } = run(3, 3, true, 300);
    expect(most).toBeLessThanOrEqual(3);
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(['kill', 'term', 'restart', 'scale-out']));
  });

  it('without scale-out, one instance id is stopped and started again in place', () => {
    const { faults, most } = run(5, 1, false, 100);
    expect(most).toBe(1);
    expect(new Set(faults.map((f) => f.instance))).toEqual(new Set(['i1']));
    expect(faults.some((f) => f.kind === 'kill') && faults.some((f) => f.kind === 'term')).toBe(true);
  });
});
