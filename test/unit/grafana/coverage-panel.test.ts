/**
 * Drift Detection's *Coverage* (the seed's drift KPI "coverage: 100 % of
 * components"): of the keys active in the range, the share drift detection
 * can judge — promoted (desired state known, SPEC §4.1) and observed (§4.2).
 * Fixture fixtures/coverage.ndjson, hand-checked, range 14:00–14:30:
 *   prod/api  promoted 14:00, ok hydration 14:01          covered
 *   prod/web  promoted 14:00, no observation              unobserved
 *   qa/tool   ok hydration 14:02, never promoted          unpromoted
 *   qa/fail   promotion started and failed 14:03, ok index 14:04: no desired state   unpromoted
 *   qa/db     promoted 13:00 (before the range), ok index 14:05   covered
 *   dev/err   promoted 12:00, a failed hydration 14:06 (no observation)   unobserved
 *   dev/old   promoted 12:00, nothing in the range        not active: not counted
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { replayedStore } from '../../helpers/replayed-store.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { runPanel, type EnvSelection } from './panel-runner.js';

const fixture = fileURLToPath(new URL('./fixtures/coverage.ndjson', import.meta.url));
const replayed = replayedStore(() => replayFixture(fixture, { store: true }));
const at = (hhmm: string) => new Date(`2026-11-27T${hhmm}:00.000Z`);
const coverage = (from: string, to: string, env: EnvSelection = 'All') =>
  runPanel(replayed.store, 'driftwatch-drift', 'Coverage (target 100 %)', env, at(to), {}, at(from));

describe('Coverage: keys drift detection can judge among the active ones', () => {
  it('counts a key covered only when promoted and observed; a key with nothing in the range is not counted', async () => {
    expect(await coverage('14:00', '14:30')).toEqual([{ coverage: 2 / 6, active_keys: 6, unpromoted_keys: 2, unobserved_keys: 2 }]);
  });

  it('follows the environment filter and the range', async () => {
    expect(await coverage('14:00', '14:30', ['prod'])).toEqual([{ coverage: 0.5, active_keys: 2, unpromoted_keys: 0, unobserved_keys: 1 }]);
    // 14:00–14:04:59 windows and events: qa/db's observation (window 14:05) and dev/err are outside.
    expect(await coverage('14:00', '14:04', ['qa'])).toEqual([{ coverage: 0, active_keys: 2, unpromoted_keys: 2, unobserved_keys: 0 }]);
    expect(await coverage('15:00', '15:30')).toEqual([{ coverage: null, active_keys: 0, unpromoted_keys: 0, unobserved_keys: 0 }]);
  });
});
