import { describe, expect, it } from 'vitest';
import { isCleanStop, type StopState } from '../../../engine/live/clean-stop.js';

const inGroup: StopState = { finalCommit: true, engineKept: true, failurePending: false, progressed: false, outOfGroupFor: 'rebalance' };
const outOfGroup = (s: Partial<StopState>): StopState => ({ ...inGroup, finalCommit: false, engineKept: false, ...s });

describe('a graceful stop is clean unless a failure left records uncommitted', () => {
  it('in the group: clean when the final commit went through, or the last one was abandoned for a rebalance', () => {
    expect(isCleanStop(inGroup)).toBe(true);
    // The final commit failed: it dropped the engine, and the failure is pending.
    expect(isCleanStop({ ...inGroup, engineKept: false, failurePending: true })).toBe(false);
    // The engine was replaced by an abandoned commit (not a failure) and rebuilt: a handover.
    expect(isCleanStop({ ...inGroup, engineKept: false, failurePending: false })).toBe(true);
  });

  it('out of the group in a rebalance: the records since the last commit are handed over, so the stop is clean', () => {
    expect(isCleanStop(outOfGroup({ progressed: true, outOfGroupFor: 'rebalance' }))).toBe(true);
    expect(isCleanStop(outOfGroup({ progressed: false, outOfGroupFor: 'rebalance' }))).toBe(true);
  });

  it('out of the group after a crash: unclean when it had processed records it could not commit', () => {
    expect(isCleanStop(outOfGroup({ progressed: true, outOfGroupFor: 'failure' }))).toBe(false);
    expect(isCleanStop(outOfGroup({ progressed: false, outOfGroupFor: 'failure' }))).toBe(true);
  });

  it('out of the group with a commit failure still pending: unclean, whatever the cause', () => {
    for (const outOfGroupFor of ['rebalance', 'failure'] as const) {
      expect(isCleanStop(outOfGroup({ failurePending: true, outOfGroupFor }))).toBe(false);
      expect(isCleanStop(outOfGroup({ failurePending: true, progressed: true, outOfGroupFor }))).toBe(false);
    }
  });
});
