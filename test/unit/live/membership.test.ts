/**
 * Whether a commit may still go out for its generation (engine/live/membership.ts): a member the coordinator has
 * not confirmed for a session timeout (less a heartbeat interval) may have been removed without being told.
 */
import { describe, it, expect } from 'vitest';
import { LiveState } from '../../../engine/live/live-context.js';
import { membershipLapse } from '../../../engine/live/membership.js';

const SESSION = 10_000; // heartbeat interval 1 s: a lease of 9 s

function member(confirmedAt: number, generation = 3): LiveState {
  const s = new LiveState();
  s.inGroup = true;
  s.generation = generation;
  s.membershipConfirmedAt = confirmedAt;
  return s;
}

describe('membership lease of a commit', () => {
  it('a member confirmed within the lease may commit for its generation', () => {
    expect(membershipLapse(member(1_000), 3, SESSION, 1_000)).toBeUndefined();
    expect(membershipLapse(member(1_000), 3, SESSION, 9_999)).toBeUndefined();
  });

  it('unconfirmed for the lease (a restore or a held batch sent no heartbeat): no commit, whatever it believes', () => {
    expect(membershipLapse(member(1_000), 3, SESSION, 10_000)).toBeDefined();
    expect(membershipLapse(member(1_000), 3, SESSION, 18_000)).toBeDefined();
    expect(membershipLapse(new LiveState(), 0, SESSION, 0)).toBeDefined(); // never confirmed
  });

  it('out of the group, or another generation since: no commit, however fresh the confirmation', () => {
    const rejoining = member(1_000);
    rejoining.inGroup = false;
    expect(membershipLapse(rejoining, 3, SESSION, 1_500)).toBeDefined();
    expect(membershipLapse(member(1_000, 4), 3, SESSION, 1_500)).toBeDefined();
  });

  it('says why a commit may not go out: the operator learns which timeout a restore or a starved process outlasted', () => {
    expect(membershipLapse(member(1_000), 3, SESSION, 9_999)).toBeUndefined();
    expect(membershipLapse(member(1_000), 3, SESSION, 17_700)).toBe(
      'the coordinator has not confirmed this member for 16.7 s, within a session timeout of 10 s (DRIFTWATCH_SESSION_TIMEOUT): it may have removed it (a long state restore or a process starved of CPU sends no heartbeat)',
    );
    expect(membershipLapse(member(Number.NEGATIVE_INFINITY), 3, SESSION, 0)).toBe('the coordinator has never confirmed this member');
    expect(membershipLapse(member(1_000, 4), 3, SESSION, 1_500)).toBe('a rebalance began');
  });
});
