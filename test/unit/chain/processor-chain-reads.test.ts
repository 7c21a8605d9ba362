import { describe, it, expect } from 'vitest';
import { ProcessorChain } from '../../../processors/processor-chain.js';
import type { Emit, Processor } from '../../../processors/processor.js';
import type { Fact, FactKind } from '../../../processors/facts.js';

/** A processor that reads `event` facts and has one timer; it records every fact it is handed. */
class TimedReader implements Processor {
  readonly name = 'timed-reader';
  readonly reads: ReadonlySet<FactKind> = new Set<FactKind>(['event']);
  readonly handled: string[] = [];
  constructor(private due: number) {}
  idleAt(at: number): boolean {
    return !(this.due <= at);
  }
  handle(fact: Fact, emit: Emit): void {
    this.handled.push(`${fact.kind}@${fact.at}`);
    if (this.due <= fact.at) {
      emit({ kind: 'advance', at: this.due });
      this.due = Number.POSITIVE_INFINITY;
    }
  }
}

const observation = (at: number): Fact => ({ kind: 'observation', at, observation: { key: 'e/a', env: 'e', artifact: 'a', sourceId: 'index:i', digest: 'd', managed: false, divergent: false } });

describe('ProcessorChain and Processor.reads', () => {
  it('skips a fact of a kind the processor does not read only while nothing of its is due', () => {
    const p = new TimedReader(50);
    const out: string[] = [];
    const chain = new ProcessorChain([p], (f) => out.push(`${f.kind}@${f.at}`));
    chain.push(observation(10)); // not read, nothing due: skipped
    chain.push(observation(60)); // not read, but its timer is due: handled, and its timer fires before the fact goes on
    chain.push(observation(70)); // nothing due any more: skipped
    expect(p.handled).toEqual(['observation@60']);
    expect(out).toEqual(['observation@10', 'advance@50', 'observation@60', 'observation@70']);
  });

  it('hands every fact of a kind the processor reads, due or not', () => {
    const p = new TimedReader(Number.POSITIVE_INFINITY);
    const chain = new ProcessorChain([p], () => {});
    chain.push({ kind: 'advance', at: 5 });
    expect(p.handled).toEqual([]);
    const event = { kind: 'event', at: 7, envelope: { at: 7, key: 'e/a', event: {} } } as unknown as Fact;
    chain.push(event);
    expect(p.handled).toEqual(['event@7']);
  });
});
