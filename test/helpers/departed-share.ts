/**
 * The per-env share an engine instance leaves behind in its changelog record
 * `w/<instanceId>` (engine/live/checkpoint.ts), built by running facts
 * through a topology: for the tests of engine/live/retiring-shares.ts.
 */
import { snapshotTopology } from '../../engine/topology-state.js';
import type { WholeCheckpoint } from '../../engine/live/checkpoint.js';
import type { Fact } from '../../processors/facts.js';
import { ProcessorChain } from '../../processors/processor-chain.js';
import { MIN, T0, promotion } from '../unit/aggregates/facts.js';
import { topology } from '../unit/state/harness.js';

/** The whole state of an instance that ran `facts`, as its changelog record carries it. */
export function departedShare(facts: Fact[]): WholeCheckpoint {
  const t = topology();
  const chain = new ProcessorChain(t.processors, () => {});
  for (const f of facts) chain.push(f);
  return JSON.parse(JSON.stringify({ processors: snapshotTopology(t).whole, watermarks: [] })) as WholeCheckpoint;
}

/**
 * 20 promotions of prod/app that failed in [T0, T0 + 5 min) — a success rate
 * of 0 over 20, so promotion_success_rate_low fires when that window closes —
 * and one started at T0 + 6 min, whose window is still open.
 */
export function failingPromotions(): Fact[] {
  const facts: Fact[] = [];
  for (let i = 0; i < 20; i++) facts.push(promotion(T0 + i * 1000, `p${i}`, 'started'), promotion(T0 + i * 1000 + 500, `p${i}`, 'failed'));
  facts.push(promotion(T0 + 6 * MIN, 'p-late', 'started'));
  return facts;
}
