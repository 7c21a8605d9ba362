import { describe, it, expect } from 'vitest';
import { IncidentLifecycle } from '../../../processors/state-drift/incident-lifecycle.js';
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
});
