/**
 * snapshot_not_verified reads promotion events only: alerting passes it no
 * other input event (AlertRule.eventTypes), and the chain skips alerting for
 * the kinds no rule reads while nothing is due (Processor.reads). Its alert
 * still resolves `window` (a day) after its snapshot, at the first later
 * fact whatever that is — its rule timer, read once per call into the rules
 * (RuleTimers), is due then — and escalates on the way as with any fact.
 */
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../processors/facts.js';
import { ProcessorChain } from '../../../processors/processor-chain.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { hydration, index } from '../drift/builders.js';
import { brief, makeProcessor, MIN, only, snapshotEvent, T0 } from './helpers.js';

const DAY = 24 * 60 * MIN;

const later: Array<[string, (at: number) => Fact]> = [
  ['a hydration event', (at) => hydration(at, { env: 'prod', artifact: 'web', inputDigest: 'in-1' })],
  ['an index event', (at) => index(at, { env: 'prod', artifact: 'web', instance: 'ix-1', servedDigest: 'd-1' })],
  [
    'an observation',
    (at) => ({ kind: 'observation', at, observation: { key: 'prod/web', env: 'prod', artifact: 'web', sourceId: 'index:ix-1', digest: 'd-1', managed: true, divergent: false } }),
  ],
];

describe('snapshot_not_verified through the processor chain', () => {
  for (const [what, fact] of later) {
    it(`resolves a day after its snapshot at the first later fact, ${what}`, () => {
      const { processor } = makeProcessor(only('snapshot_not_verified'));
      const out: Array<{ at: number; alert: AlertEvent }> = [];
      const chain = new ProcessorChain([processor], (f) => {
        if (f.kind === 'alert') out.push({ at: f.at, alert: f.alert });
      });
      chain.push(snapshotEvent(T0, false));
      chain.push(fact(T0 + MIN));
      expect(brief(out)).toEqual([['snapshot_not_verified', 'firing', 1, 'high', 0]]);
      // Due at T0 + 1 day: strictly before a fact's time, so not yet at that very time; its escalations are.
      chain.push(fact(T0 + DAY));
      expect(brief(out).map(([, status, level]) => [status, level])).toEqual([
        ['firing', 1],
        ['firing', 2],
        ['firing', 3],
        ['firing', 4],
      ]);
      chain.push(fact(T0 + DAY + 1));
      expect(brief(out).at(-1)).toEqual(['snapshot_not_verified', 'resolved', 4, 'high', DAY]);
      expect(out.at(-1)!.alert.endsAt).toBe(new Date(T0 + DAY).toISOString());
    });
  }
});
