import { describe, it, expect } from 'vitest';
import { IncidentLifecycle, MAX_LISTED_DIGESTS, OpenIncidentTally } from '../../../processors/state-drift/incident-lifecycle.js';
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

  it('a severity in an update only raises it: an incident keeps the highest it reached', () => {
    const l = new IncidentLifecycle();
    l.open(init);
    expect(l.update({ severity: 'medium' })).toBeNull();
    expect(l.update({ severity: 'high' })).toBeNull();
    expect(l.update({ severity: 'critical' })).toMatchObject({ severity: 'critical' });
    expect(l.update({ severity: 'high', desiredFrom: 'promotion' })).toMatchObject({ severity: 'critical', desiredFrom: 'promotion' });
    expect(l.resolve(t(70), 'converged')).toMatchObject({ severity: 'critical' });
  });

  it('names at most MAX_LISTED_DIGESTS digests, the first given, and counts each further one it is given', () => {
    const d = (i: number) => `D${String(999 - i).padStart(3, '0')}`; // later ones sort first
    const l = new IncidentLifecycle();
    l.open({ ...init, divergentDigests: Array.from({ length: MAX_LISTED_DIGESTS + 3 }, (_, i) => d(i)) });
    // Opened with more: the smallest named.
    expect(l.current!.divergentDigests).toEqual(Array.from({ length: MAX_LISTED_DIGESTS + 3 }, (_, i) => d(i)).sort().slice(0, MAX_LISTED_DIGESTS));
    expect(l.current!.divergentDigestsOmitted).toBe(3);
    expect(l.update({ divergentDigests: [l.current!.divergentDigests[0]!] })).toBeNull(); // named: no change
    expect(l.update({ divergentDigests: ['A000'] })).toMatchObject({ divergentDigestsOmitted: 4 }); // not named, though the smallest
    expect(l.unlisted(['A000', l.current!.divergentDigests[5]!])).toEqual(['A000']);
    expect(l.resolve(t(70), 'converged')).toMatchObject({ divergentDigestsOmitted: 4 });
  });

  it('names every digest below the bound, with no count; restores a record past it (the previous release had none) trimmed', () => {
    const l = new IncidentLifecycle();
    expect(l.open(init)).not.toHaveProperty('divergentDigestsOmitted');
    expect(l.unlisted(['A', 'Z'])).toBeUndefined();
    const old = { ...l.current!, divergentDigests: Array.from({ length: 100 }, (_, i) => `D${String(i).padStart(3, '0')}`) };
    const restored = new IncidentLifecycle();
    restored.restore(old);
    expect(restored.current).toEqual({ ...old, divergentDigests: old.divergentDigests.slice(0, MAX_LISTED_DIGESTS), divergentDigestsOmitted: 100 - MAX_LISTED_DIGESTS });
    expect(old.divergentDigests).toHaveLength(100); // the record itself is left as it was
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
