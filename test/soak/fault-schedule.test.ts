/**
 * The soak's fault schedule: a seed names one schedule, it never asks for
 * more processes than allowed, and with scale-out off it keeps to the one id.
 */
import { describe, it, expect } from 'vitest';
import { FaultSchedule, isBrokerFault, parseFaultKinds, type ClusterState, type Fault, type FaultKind } from './fault-schedule.js';

/** Applies faults to a model cluster (a stop is immediate here) and returns them. */
function run(seed: number, maxRunning: number, scaleOut: boolean, steps: number, kinds?: ReadonlySet<FaultKind>): { faults: Fault[]; most: number } {
  const s = new FaultSchedule(seed, { maxRunning, scaleOut, kinds });
  const running = new Set([s.newInstance()]);
  const all = new Set(running);
  const faults: Fault[] = [];
  let most = running.size;
  for (let i = 0; i < steps; i++) {
    const state: ClusterState = { running: [...running], stopped: [...all].filter((id) => !running.has(id)) };
    const f = s.next(state);
    faults.push(f);
    if (isBrokerFault(f.kind)) {
      expect(f.instance).toBe('');
      expect(running.size).toBeGreaterThan(0); // a broker fault while nothing runs would test nothing
      continue; // the instances stay as they are
    }
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

  it('SOAK_FAULTS restricts the kinds: graceful faults only never kill -9, and still scale out and in', () => {
    const kinds = parseFaultKinds('term, restart,scale-out');
    expect(kinds).toEqual(new Set(['term', 'restart', 'scale-out']));
    const { faults, most } = run(3, 3, true, 300, kinds);
    expect(most).toBe(3);
    expect(new Set(faults.map((f) => f.kind))).toEqual(kinds);
  });

  it('a broker restart only when asked for, then among the instance faults', () => {
    expect(parseFaultKinds(undefined)).toEqual(new Set(['kill', 'term', 'restart', 'scale-out']));
    const kinds = parseFaultKinds('kill,term,restart,broker-restart');
    const { faults, most } = run(5, 1, false, 100, kinds);
    expect(most).toBe(1);
    expect(new Set(faults.map((f) => f.kind))).toEqual(kinds);
  });

  it('a broker kill -9 only when asked for by name: neither by default nor with broker-restart', () => {
    expect(run(3, 3, true, 300).faults.some((f) => isBrokerFault(f.kind))).toBe(false);
    const graceful = run(3, 3, true, 300, parseFaultKinds('kill,term,restart,scale-out,broker-restart')).faults;
    expect(graceful.some((f) => f.kind === 'broker-restart')).toBe(true);
    expect(graceful.some((f) => f.kind === 'broker-kill')).toBe(false);
  });

  it('broker-kill alone with one instance: every fault is a broker kill, the instance keeps running', () => {
    const kinds = parseFaultKinds('broker-kill');
    expect(kinds).toEqual(new Set(['broker-kill']));
    const { faults, most } = run(9, 1, false, 50, kinds);
    expect(most).toBe(1);
    expect(faults.every((f) => f.kind === 'broker-kill')).toBe(true);
  });

  it('both broker faults among the instance faults of several instances: every kind, never more processes than allowed', () => {
    const kinds = parseFaultKinds('kill,term,restart,scale-out,broker-restart,broker-kill');
    const { faults, most } = run(11, 2, true, 300, kinds);
    expect(most).toBeLessThanOrEqual(2);
    expect(new Set(faults.map((f) => f.kind))).toEqual(kinds);
  });

  it('with nothing running, a start rather than a broker fault', () => {
    const s = new FaultSchedule(4, { maxRunning: 2, scaleOut: true, kinds: parseFaultKinds('kill,broker-kill,broker-restart') });
    const [a, b] = [s.newInstance(), s.newInstance()];
    for (let i = 0; i < 50; i++) expect(['restart']).toContain(s.next({ running: [], stopped: [a, b] }).kind);
    expect(s.next({ running: [], stopped: [] }).kind).toBe('scale-out');
  });

  it('SOAK_FAULTS with an unknown kind, or with nothing that stops anything, is an error', () => {
    expect(() => parseFaultKinds('term,kil')).toThrow(/unknown fault kind\(s\) kil/);
    expect(() => parseFaultKinds('restart,scale-out')).toThrow(/needs kill, term, broker-restart or broker-kill/);
  });

  it('without scale-out, one instance id is stopped and started again in place', () => {
    const { faults, most } = run(5, 1, false, 100);
    expect(most).toBe(1);
    expect(new Set(faults.map((f) => f.instance))).toEqual(new Set(['i1']));
    expect(faults.some((f) => f.kind === 'kill') && faults.some((f) => f.kind === 'term')).toBe(true);
  });
});
