/**
 * SPEC §4.7 for the promotion windows: a late promotion event whose window
 * is still open counts as it would have in order. For any arrival of one
 * promotion's events (late ones at their frontier, their window open), the
 * promotion-window rows and the promotion_outcomes rows that `FINAL` keeps
 * must equal those of the same events in event-time order.
 */
import { describe, it, expect } from 'vitest';
import { PromotionWindowsProcessor } from '../../../processors/promotion-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import type { Fact, FactOf } from '../../../processors/facts.js';
import { RowMapper, type Row } from '../../../store/row-mappers.js';
import { windowStart } from '../../../lib/time.js';
import { MIN, SEC, T0, advance, late, ofKind, promotion } from './facts.js';

const W = 5 * MIN;
const make = () => new PromotionWindowsProcessor({ windowMs: W });
const rollback = (at: number, id = 'p1') => promotion(at, id, 'rolled_back', { rollbackTo: { version: '1', digest: 'd0' } });

/**
 * `inOrder` (event-time order) with the events at `lateAt`'s indexes learnt
 * late, each at its frontier: after every event older than it, before the
 * others (as the event-time orderer hands them over).
 */
function learntLate(inOrder: Array<FactOf<'event'>>, lateAt: Array<[index: number, frontier: number]>): Fact[] {
  const frontiers = new Map(lateAt);
  const keyed = inOrder.map((fact, i) => {
    const frontier = frontiers.get(i);
    if (frontier === undefined) return { fact: fact as Fact, at: fact.at, rank: 1, i };
    // The case this is about: the late event's own window is still open at its frontier.
    expect(frontier).toBeGreaterThan(fact.at);
    expect(windowStart(fact.at, W)).toBe(windowStart(frontier, W));
    return { fact: late(fact, frontier) as Fact, at: frontier, rank: 0, i };
  });
  keyed.sort((a, b) => a.at - b.at || a.rank - b.rank || a.i - b.i);
  return [...keyed.map((k) => k.fact), advance(Infinity)];
}

/** What `promotion_outcomes FINAL` keeps: per promotion, the row of the highest version (version left out). */
function outcomesFinal(out: Fact[]): Record<string, Row> {
  const mapper = new RowMapper();
  const best = new Map<string, Row>();
  for (const fact of ofKind(out, 'promotion-outcome')) {
    for (const { row } of mapper.rows(fact)) {
      const key = `${row.env as string}/${row.promotion_id as string}`;
      const kept = best.get(key);
      // Equal versions would leave FINAL's pick to the merge: none may tie.
      if (kept) expect(row.version).not.toBe(kept.version);
      if (!kept || (row.version as number) > (kept.version as number)) best.set(key, row);
    }
  }
  return Object.fromEntries([...best].map(([key, { version: _v, ...row }]) => [key, row]));
}

/** The late arrival gives the windows and the outcomes of event-time order. */
function expectAsInOrder(inOrder: Array<FactOf<'event'>>, lateAt: Array<[number, number]>): void {
  const sorted = runProcessor(make(), [...inOrder, advance(Infinity)]);
  const out = runProcessor(make(), learntLate(inOrder, lateAt));
  expect(ofKind(out, 'promotion-window').map((f) => f.row)).toEqual(ofKind(sorted, 'promotion-window').map((f) => f.row));
  expect(outcomesFinal(out)).toEqual(outcomesFinal(sorted));
}

describe('promotion windows: late events of an open window count as in event-time order', () => {
  it.each(['succeeded', 'failed'] as const)('a late %s from before the rollback that ended its promotion (the case made exact before)', (phase) => {
    expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', phase), rollback(T0 + 2 * MIN)], [[1, T0 + 3 * MIN]]);
  });

  describe('1. a late end from before a rollback that followed an earlier end', () => {
    it.each([
      ['failed', 'succeeded'],
      ['succeeded', 'failed'],
      ['failed', 'failed'],
    ] as const)('first %s, then (late) %s, then the rollback: the rollback takes the late one', (first, lateEnd) => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', first), promotion(T0 + 2 * MIN, 'p1', lateEnd), rollback(T0 + 3 * MIN)], [[2, T0 + 4 * MIN]]);
    });

    it.each([
      ['succeeded', 'failed'],
      ['failed', 'succeeded'],
    ] as const)('(late) %s is the first end, then %s, then the rollback', (lateEnd, second) => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', lateEnd), promotion(T0 + 2 * MIN, 'p1', second), rollback(T0 + 3 * MIN)], [[1, T0 + 4 * MIN]]);
    });

    it('the earlier end in a window already closed', () => {
      expectAsInOrder([promotion(T0 + MIN, 'p1', 'failed'), promotion(T0 + W + MIN, 'p1', 'succeeded'), rollback(T0 + W + 2 * MIN)], [[1, T0 + W + 3 * MIN]]);
    });
  });

  describe('2. a late end learnt after a retry (a new start after the rollback) began', () => {
    it.each(['succeeded', 'failed'] as const)('late %s; the retry only started', (phase) => {
      expectAsInOrder(
        [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', phase), rollback(T0 + 2 * MIN), promotion(T0 + 3 * MIN, 'p1', 'started'), promotion(T0 + 4 * MIN + 30 * SEC, 'p1', 'succeeded')],
        [[1, T0 + 4 * MIN]],
      );
    });

    it.each(['succeeded', 'failed'] as const)('late %s; the retry ended too', (phase) => {
      expectAsInOrder(
        [promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', phase), rollback(T0 + 2 * MIN), promotion(T0 + 3 * MIN, 'p1', 'started'), promotion(T0 + 3 * MIN + 30 * SEC, 'p1', 'succeeded')],
        [[1, T0 + 4 * MIN]],
      );
    });
  });

  describe('3. a late start learnt after the rollback', () => {
    it('of the attempt the rollback ended', () => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), rollback(T0 + 2 * MIN)], [[0, T0 + 3 * MIN]]);
    });

    it('then a late end from between the two', () => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', 'succeeded'), rollback(T0 + 2 * MIN)], [
        [0, T0 + 3 * MIN],
        [1, T0 + 4 * MIN],
      ]);
    });

    it('of a retry between two ends', () => {
      expectAsInOrder([promotion(T0, 'p1', 'failed'), promotion(T0 + MIN, 'p1', 'started'), promotion(T0 + 2 * MIN, 'p1', 'succeeded'), rollback(T0 + 4 * MIN)], [[1, T0 + 3 * MIN]]);
    });
  });

  describe('4. a late end does not take a later start', () => {
    it('a start after the rollback, then the late end from before it', () => {
      expectAsInOrder([promotion(T0 + MIN, 'p1', 'failed'), rollback(T0 + 2 * MIN), promotion(T0 + 3 * MIN, 'p1', 'started'), promotion(T0 + 4 * MIN + 30 * SEC, 'p1', 'succeeded')], [[0, T0 + 4 * MIN]]);
    });

    it('no rollback: a retry started before the failure was learnt', () => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', 'failed'), promotion(T0 + 2 * MIN, 'p1', 'started'), promotion(T0 + 4 * MIN + 30 * SEC, 'p1', 'succeeded')], [[1, T0 + 4 * MIN]]);
    });

    it('no rollback: the retry ended before the failure was learnt', () => {
      expectAsInOrder([promotion(T0, 'p1', 'started'), promotion(T0 + MIN, 'p1', 'failed'), promotion(T0 + 2 * MIN, 'p1', 'started'), promotion(T0 + 3 * MIN, 'p1', 'succeeded')], [[1, T0 + 4 * MIN]]);
    });
  });

  it('several promotions and several late events in one window', () => {
    expectAsInOrder(
      [
        promotion(T0, 'p1', 'started'),
        promotion(T0 + 10 * SEC, 'p2', 'started'),
        promotion(T0 + MIN, 'p1', 'succeeded'),
        promotion(T0 + MIN + 10 * SEC, 'p2', 'failed'),
        rollback(T0 + 2 * MIN, 'p2'),
        promotion(T0 + 2 * MIN + 10 * SEC, 'p2', 'started'),
        rollback(T0 + 3 * MIN, 'p1'),
        promotion(T0 + 3 * MIN + 10 * SEC, 'p2', 'succeeded'),
      ],
      [
        [2, T0 + 3 * MIN + 20 * SEC],
        [3, T0 + 3 * MIN + 20 * SEC],
        [0, T0 + 4 * MIN],
      ],
    );
  });
});
