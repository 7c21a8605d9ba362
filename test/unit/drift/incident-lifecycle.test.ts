import { describe, it, expect } from 'vitest';
import { IncidentLifecycle, OpenIncidentTally } from '../../../processors/state-drift/incident-lifecycle.js';
import { DriftwatchError } from '../../../lib/errors.js';
import { t } from './builders.js';

const init = { incidentId: 'inc-1', kind: 'state' as const, env: 'prod', artifact: 'a', severity: 'high' as const, startedAt: t(10), divergentDigests: ['B', 'A', 'B'] };

describe('IncidentLifecycle', () => {
  it('open → update (only on change) → resolve → idle', () => {
    const l = new IncidentLifecycle();
    const opened = l.open(init);
    expect(opened).toMatchObject({ detectedAt: t(10), resolvedAt: null, divergentDigests: ['A', 'B'] });
    expect(l.update({ divergentDigests: ['A'] })).toBeNull();
    expect(l.update({ divergentDigests: ['C'] })?.divergentDigests).toEqual(['A', 'B', 'C']);
    expect(opened.divergentDigests).toEqual(['A', 'B']); // emitted copies never change
    expect(l.resolve(t(70), 'converged')).toMatchObject({ resolvedAt: t(70), reason: 'converged', recoveryMs: 60_000 });
    expect(l.phase).toBe('idle');
  });

  it('rejects illegal transitions', () => {
    const l = new IncidentLifecycle();
    expect(() => l.resolve(t(1), 'x')).toThrow(DriftwatchError);
    expect(() => l.update({})).toThrow(/cannot update while idle/);
    l.open(init);
    expect(() => l.open(init)).toThrow(/cannot open while open \(inc-1\)/);
  });

  it('keeps its processor\'s tally of open slots through open, resolve, restore and release', () => {
    const tally = new OpenIncidentTally();
    const a = new IncidentLifecycle(tally);
    const b = new IncidentLifecycle(tally);
    a.open(init);
    b.restore({ ...a.current!, incidentId: 'inc-2' });
    expect(tally.value).toBe(2);
    b.restore({ ...a.current!, incidentId: 'inc-3' }); // open over open: still one
    expect(tally.value).toBe(2);
    b.restore(null);
    expect(tally.value).toBe(1);
    a.resolve(t(20), 'converged');
    expect(tally.value).toBe(0);
    b.open(init);
    b.release(); // its processor forgot it: not open any more as far as the tally goes, whatever it does later
    expect(tally.value).toBe(0);
    b.resolve(t(30), 'converged');
    b.release();
    expect(tally.value).toBe(0);
  });
});
