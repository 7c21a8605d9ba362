/**
 * One producer sending many promotions for one key within 24 h: what the
 * engine remembers of the key's promotions (start times and counted outcomes
 * in the promotion windows, in-flight digests in its desired state, and the
 * expiry timers of both) stays bounded by MAX_PROMOTIONS_PER_KEY, keeping the
 * newest. It used to grow by one entry per promotionId until each was a day old.
 */
import { describe, it, expect } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { DesiredState, MAX_PROMOTIONS_PER_KEY } from '../../../processors/desired-state.js';
import { TimerQueue } from '../../../processors/timer-queue.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import type { PromotionEvent } from '../../../schemas/input-events.js';
import { MIN, SEC, T0, advance, promotion } from '../aggregates/facts.js';

const N = MAX_PROMOTIONS_PER_KEY * 3;

describe('a key flooded with promotions within 24 h', () => {
  it('the promotion windows keep at most MAX_PROMOTIONS_PER_KEY start times and as many outcomes of each kind, the newest', () => {
    const p = new PromotionWindowsProcessor({ windowMs: 5 * MIN });
    const facts: Fact[] = [];
    // N promotions that never end, then N that start and succeed: all within 24 h (N * 2 s < 1 h).
    for (let i = 0; i < N; i++) facts.push(promotion(T0 + i * SEC, `open-${i}`, 'started'));
    for (let i = 0; i < N; i++) {
      facts.push(promotion(T0 + (N + i) * SEC, `done-${i}`, 'started'));
      facts.push(promotion(T0 + (N + i) * SEC + 500, `done-${i}`, 'succeeded'));
    }
    runProcessor(p, facts);
    // Each done-… start took the place of the oldest open-… one, then its success consumed it: one fewer than the bound.
    expect(p.pendingPromotions).toBe(MAX_PROMOTIONS_PER_KEY - 1);
    const state = p.snapshotKey('prod/app')!;
    expect(state.startedAt).toHaveLength(MAX_PROMOTIONS_PER_KEY - 1);
    expect(state.succeededAt).toHaveLength(MAX_PROMOTIONS_PER_KEY);
    // The newest are kept: the last open-… starts (the done-… ones consumed theirs), the last successes.
    expect(state.startedAt.map(([id]) => id)).toContain(`prod\u0000open-${N - 1}`);
    expect(state.startedAt.map(([id]) => id)).not.toContain('prod\u0000open-0');
    expect(state.succeededAt!.map(([id]) => id)).toContain(`prod\u0000done-${N - 1}`);
    expect(state.succeededAt!.map(([id]) => id)).not.toContain('prod\u0000done-0');
  });

  it('durations below the bound are those of an unbounded run: the newest promotion still ends with its duration', () => {
    const p = new PromotionWindowsProcessor({ windowMs: 5 * MIN });
    const facts: Fact[] = [];
    for (let i = 0; i < N; i++) facts.push(promotion(T0 + i * 100, `p-${i}`, 'started'));
    facts.push(promotion(T0 + N * 100 + 30 * SEC, `p-${N - 1}`, 'succeeded'));
    facts.push(advance(T0 + 24 * 60 * MIN));
    const rows = runProcessor(p, facts).filter((f) => f.kind === 'promotion-window');
    const durations = rows.map((f) => (f.kind === 'promotion-window' ? f.row.durationMaxMs : undefined)).filter((d) => d !== undefined && d !== null);
    expect(durations).toEqual([30 * SEC + 100]);
  });

  it("the key's desired state keeps at most MAX_PROMOTIONS_PER_KEY in-flight promotions, the newest", () => {
    const s = new DesiredState({ convergenceGraceMs: 2 * MIN });
    const started = (i: number): PromotionEvent => ({ type: 'promotion', eventId: `e${i}`, occurredAt: '', env: 'prod', artifact: 'a', promotionId: `p${i}`, phase: 'started', version: `v${i}`, digest: `D${i}` });
    for (let i = 0; i < N; i++) s.apply(started(i), T0 + i * SEC);
    expect(s.snapshot().inFlight).toHaveLength(MAX_PROMOTIONS_PER_KEY);
    expect(s.isAcceptable(`D${N - 1}`, T0 + N * SEC)).toBe(true);
    expect(s.isAcceptable('D0', T0 + N * SEC)).toBe(false); // the oldest went past the bound
  });

  it('a record from before the bound, trimmed on restore, keeps no rollback note of a rollback it forgot', () => {
    // endedByRollback "goes with the rolledBackAt entry" (no expiry of its own): a note left for a trimmed one
    // would never expire and be written with the key's record for ever.
    const p = new PromotionWindowsProcessor({ windowMs: 5 * MIN });
    const n = MAX_PROMOTIONS_PER_KEY + 5;
    const ids = Array.from({ length: n }, (_, i) => `prod\u0000rb-${String(i).padStart(5, '0')}`);
    p.restoreKey('prod/app', {
      startedAt: [],
      rolledBackAt: ids.map((id, i): [string, number] => [id, T0 + i * SEC]),
      endedByRollback: ids.map((id): [string, number | null] => [id, null]),
    });
    const state = p.snapshotKey('prod/app')!;
    expect(state.rolledBackAt).toHaveLength(MAX_PROMOTIONS_PER_KEY);
    const kept = new Set(state.rolledBackAt!.map(([id]) => id));
    expect(state.endedByRollback!.filter(([id]) => !kept.has(id))).toEqual([]);
    expect(state.endedByRollback).toHaveLength(MAX_PROMOTIONS_PER_KEY);
  });

  it('a timer queue whose timers are cancelled and moved keeps its heap bounded by its live timers, and fires the same', () => {
    const q = new TimerQueue();
    for (let i = 0; i < 100_000; i++) {
      q.schedule(`k${i % 10}`, T0 + i); // moved: the entry it replaces is stale
      q.schedule(`c${i}`, T0 + 24 * 60 * MIN + i);
      q.cancel(`c${i}`); // an evicted promotion's expiry
    }
    expect(q.size).toBe(10);
    expect(q.heapEntries).toBeLessThan(5_000);
    const fired: string[] = [];
    q.fireDue(Infinity, (k, t) => fired.push(`${k}@${t - T0}`));
    expect(fired).toEqual(Array.from({ length: 10 }, (_, k) => `k${k}@${100_000 - 10 + k}`));
  });
});
