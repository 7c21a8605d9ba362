import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EventTimeOrderer, orderByEventTime, orderChunksByEventTime, type EventTimeOptions } from '../../../processors/event-time.js';
import type { Envelope, Fact } from '../../../processors/facts.js';
import { SECOND } from '../../../lib/time.js';
import { T0, envelope, hydration, indexOp, promotion } from './events.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const L = 10 * SECOND;
const s = (sec: number): number => T0 + sec * SECOND;
const hyd = (id: string, sec: number): Envelope => envelope(hydration(id, s(sec)));

/** Compact, hand-checkable rendering: E:id@sec, L:id@sec (at = frontier), A@sec. */
function show(f: Fact): string {
  const t = Number.isFinite(f.at) ? `${(f.at - T0) / SECOND}` : String(f.at);
  if (f.kind === 'event') return `E:${f.envelope.event.eventId}@${t}`;
  if (f.kind === 'late') return `L:${f.envelope.event.eventId}@${t}`;
  return `A@${t}`;
}

/** Feeds one envelope at a time (push + flush), then finishes. */
function runEach(input: Envelope[], options: EventTimeOptions = { allowedLatenessMs: L }): { facts: Fact[]; orderer: EventTimeOrderer } {
  const orderer = new EventTimeOrderer(options);
  const facts: Fact[] = [];
  const out = (f: Fact): void => void facts.push(f);
  for (const e of input) {
    orderer.push(e, out);
    orderer.flush(out);
  }
  orderer.finish(out);
  return { facts, orderer };
}

const events = (facts: Fact[]): string[] => facts.filter((f) => f.kind !== 'advance').map(show);

describe('EventTimeOrderer', () => {
  it('releases sorted input once the frontier (max − 2·lateness) passes it, then advances to +Infinity at the end', () => {
    const { facts, orderer } = runEach([hyd('a', 0), hyd('b', 5), hyd('c', 10), hyd('d', 25), hyd('e', 30)]);
    expect(facts.map(show)).toEqual([
      'A@-20', 'A@-15', 'A@-10',
      'E:a@0', 'A@5',
      'E:b@5', 'A@10', // c@10 is exactly at the frontier: not late, so not released yet
      'E:c@10', 'E:d@25', 'E:e@30', 'A@Infinity',
    ]);
    expect(orderer.buffered).toBe(0);
    expect(orderer.late).toBe(0);
    expect(orderer.released).toBe(5);
  });

  it('moves the frontier by an envelope\'s watermarkAt (an event dated ahead of the clock), and still releases the event at its own at', () => {
    // b is dated 60 s but may move the watermark only to 20 s (the clock when it came): c at 5 s is not late.
    const { facts } = runEach([hyd('a', 0), { ...hyd('b', 60), watermarkAt: s(20) }, hyd('c', 5), hyd('d', 40)]);
    expect(events(facts)).toEqual(['E:a@0', 'E:c@5', 'E:d@40', 'E:b@60']);
  });

  it('exposes watermark, frontier and buffered', () => {
    const o = new EventTimeOrderer({ allowedLatenessMs: L });
    expect(o.watermark).toBe(-Infinity);
    expect(o.frontier).toBe(-Infinity);
    o.push(hyd('a', 0), () => {});
    o.push(hyd('b', 40), () => {});
    expect(o.maxEventTime).toBe(s(40));
    expect(o.watermark).toBe(s(30));
    expect(o.frontier).toBe(s(20));
    expect(o.buffered).toBe(2);
    o.flush(() => {});
    expect(o.buffered).toBe(1);
  });

  it('gives the same event sequence for any arrival order within the lateness bound', () => {
    // 400 events on a coarse 1 s grid (many ties) of all three types.
    const r = seededRandom(7);
    const base: Envelope[] = [];
    for (let i = 0; i < 400; i++) {
      const at = s(Math.floor(i / 4));
      const kind = Math.floor(r() * 3);
      const id = `e${Math.floor(r() * 1e6)}-${i}`;
      base.push(envelope(kind === 0 ? promotion(id, at) : kind === 1 ? hydration(id, at) : indexOp(id, at)));
    }
    const rank = { promotion: 0, hydration: 1, index: 2 } as const;
    const expected = [...base]
      .sort((x, y) => x.at - y.at || rank[x.event.type] - rank[y.event.type] || (x.event.eventId < y.event.eventId ? -1 : 1))
      .map((e) => `E:${e.event.eventId}@${(e.at - T0) / SECOND}`);
    for (let seed = 1; seed <= 5; seed++) {
      // Arrival key = at + jitter in [0, 2L): no event is older than the frontier when it arrives.
      const jr = seededRandom(seed);
      const shuffled = base.map((e) => ({ e, key: e.at + jr() * 2 * L })).sort((x, y) => x.key - y.key).map((x) => x.e);
      const { facts, orderer } = runEach(shuffled);
      expect(orderer.late).toBe(0);
      expect(events(facts)).toEqual(expected);
      // Facts never go back in time, and advances strictly increase.
      for (let i = 1; i < facts.length; i++) expect(facts[i]!.at).toBeGreaterThanOrEqual(facts[i - 1]!.at);
      const advances = facts.filter((f) => f.kind === 'advance').map((f) => f.at);
      for (let i = 1; i < advances.length; i++) expect(advances[i]).toBeGreaterThan(advances[i - 1]!);
      expect(facts.at(-1)).toEqual({ kind: 'advance', at: Infinity });
    }
  });

  it('orders ties promotions first, then hydrations, then index ops, then by eventId', () => {
    const at = s(0);
    const input = [
      envelope(indexOp('a', at)),
      envelope(hydration('z', at)),
      envelope(promotion('m', at)),
      envelope(promotion('b', at)),
      envelope(hydration('c', at)),
    ];
    expect(events(runEach(input).facts)).toEqual(['E:b@0', 'E:m@0', 'E:c@0', 'E:z@0', 'E:a@0']);
  });

  it('marks every event of an instant but its last `tied`, however they arrive (an instant is released at once)', () => {
    // Events at 0, 0, 0 and 5, then one at 21 s: frontier 1 s, which releases the instant 0 in one go; the one at 5 s
    // (alone at its instant) and the one exactly at the frontier's later value stay untied.
    const input = [hyd('b', 0), hyd('x', 5), hyd('a', 0), hyd('c', 0), hyd('y', 21), hyd('z', 21)];
    const tied = runEach(input).facts.flatMap((f) => (f.kind === 'event' ? [`${show(f)}${f.tied ? ' tied' : ''}`] : []));
    expect(tied).toEqual(['E:a@0 tied', 'E:b@0 tied', 'E:c@0', 'E:x@5', 'E:y@21 tied', 'E:z@21']);
  });

  it('releases events equal in time, type and eventId in arrival order (the orderer alone does not deduplicate)', () => {
    // Tagged by an extra field the order ignores, to tell the copies apart.
    const copy = (tag: string, sec: number, id = 'same'): Envelope => ({ ...hyd(id, sec), key: `k/${tag}` });
    const keys = (facts: Fact[]): string[] => facts.flatMap((f) => (f.kind === 'event' ? [f.envelope.key] : []));
    // Unsorted bucket, sorted once when it comes up for release.
    expect(keys(runEach([copy('1', 0.5), copy('2', 0.5), copy('x', 0.2, 'a'), copy('3', 0.5), copy('4', 0.5)]).facts)).toEqual(['k/x', 'k/1', 'k/2', 'k/3', 'k/4']);
    // Copies arriving once their bucket is the lowest and sorted (inserted by binary search, after their equals).
    const o = new EventTimeOrderer({ allowedLatenessMs: L });
    const facts: Fact[] = [];
    const out = (f: Fact): void => void facts.push(f);
    o.push(copy('1', 1), out);
    o.push(copy('x', 1.5, 'z'), out);
    o.push(copy('2', 1), out);
    o.push(copy('far', 21.2, 'far'), out); // frontier 1.2: releases the two copies at 1, sorting the 1 s bucket
    o.flush(out);
    expect(keys(facts)).toEqual(['k/1', 'k/2']);
    o.push(copy('y', 1.5, 'b'), out); // before z
    o.push(copy('3', 1.5, 'z'), out);
    o.push(copy('4', 1.5, 'z'), out);
    o.finish(out);
    expect(keys(facts)).toEqual(['k/1', 'k/2', 'k/y', 'k/x', 'k/3', 'k/4', 'k/far']);
  });

  it('emits late events at once, at the frontier, after releasing what the frontier covers', () => {
    const o = new EventTimeOrderer({ allowedLatenessMs: L });
    const facts: Fact[] = [];
    const out = (f: Fact): void => void facts.push(f);
    // One chunk: nothing is released until the late event forces it.
    o.push(hyd('a', 0), out);
    o.push(hyd('b', 100), out); // frontier 80
    o.push(hyd('late', 50), out);
    o.push(hyd('edge', 80), out); // exactly at the frontier: not late
    o.flush(out);
    o.finish(out);
    expect(facts.map(show)).toEqual(['E:a@0', 'L:late@80', 'A@80', 'E:edge@80', 'E:b@100', 'A@Infinity']);
    expect(facts[1]).toMatchObject({ kind: 'late', at: s(80), frontier: s(80) });
    expect(o.late).toBe(1);
  });

  it('advanceTo moves the frontier without an event (idle timeout) and later older events are late', () => {
    const o = new EventTimeOrderer({ allowedLatenessMs: L });
    const facts: Fact[] = [];
    const out = (f: Fact): void => void facts.push(f);
    o.push(hyd('a', 0), out);
    o.flush(out);
    o.advanceTo(s(5), out);
    o.advanceTo(s(3), out); // never backwards
    o.push(hyd('b', 4), out);
    expect(facts.map(show)).toEqual(['A@-20', 'E:a@0', 'A@5', 'L:b@5']);
    expect(o.frontier).toBe(s(5));
    expect(o.watermark).toBe(s(15));
  });

  it('with an advance granularity emits fewer advances but the same events', () => {
    const input = [0, 1, 2, 3, 30, 31, 32, 33, 60].map((sec, i) => hyd(`x${i}`, sec));
    const fine = runEach(input).facts;
    const coarse = runEach(input, { allowedLatenessMs: L, advanceGranularityMs: 20 * SECOND }).facts;
    expect(events(coarse)).toEqual(events(fine));
    expect(coarse.filter((f) => f.kind === 'advance').map(show)).toEqual(['A@-20', 'A@10', 'A@40', 'A@Infinity']);
  });
});

describe('orderByEventTime operator', () => {
  it('releases in event-time order and advances to +Infinity on completion (marbles)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const lateness = SECOND;
      const a = hyd('a', 0);
      const b = hyd('b', 1);
      const c = hyd('c', 3);
      const source = cold<Envelope>('a-b-c-----|', { a, b, c });
      expectObservable(source.pipe(orderByEventTime({ allowedLatenessMs: lateness }))).toBe('x-y-(ez)--(fgI|)', {
        x: { kind: 'advance', at: s(-2) },
        y: { kind: 'advance', at: s(-1) },
        e: { kind: 'event', at: s(0), envelope: a, tied: false },
        z: { kind: 'advance', at: s(1) },
        f: { kind: 'event', at: s(1), envelope: b, tied: false },
        g: { kind: 'event', at: s(3), envelope: c, tied: false },
        I: { kind: 'advance', at: Infinity },
      });
    });
  });

  it('emits a late fact for an event older than the frontier (marbles)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const a = hyd('a', 10);
      const old = hyd('old', 5);
      const source = cold<Envelope>('a-o|', { a, o: old });
      expectObservable(source.pipe(orderByEventTime({ allowedLatenessMs: 2 * SECOND }))).toBe('x-l(eI|)', {
        x: { kind: 'advance', at: s(6) },
        l: { kind: 'late', at: s(6), envelope: old, frontier: s(6) },
        e: { kind: 'event', at: s(10), envelope: a, tied: false },
        I: { kind: 'advance', at: Infinity },
      });
    });
  });

  it('per-envelope and per-chunk feeding release the same events', async () => {
    const input = [hyd('c', 10), hyd('a', 0), hyd('b', 5), hyd('e', 30), hyd('d', 25), hyd('f', 70)];
    const each = await lastValueFrom(from(input).pipe(orderByEventTime({ allowedLatenessMs: L }), toArray()));
    const chunked = await lastValueFrom(
      from([input.slice(0, 4), input.slice(4)]).pipe(orderChunksByEventTime({ allowedLatenessMs: L }), toArray()),
    );
    expect(events(chunked)).toEqual(events(each));
    expect(events(each)).toEqual(['E:a@0', 'E:b@5', 'E:c@10', 'E:d@25', 'E:e@30', 'E:f@70']);
    expect(chunked.map(show)).toEqual(['E:a@0', 'E:b@5', 'A@10', 'E:c@10', 'E:d@25', 'E:e@30', 'A@50', 'E:f@70', 'A@Infinity']);
  });
});
