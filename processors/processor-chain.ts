/**
 * A chain of processors run as one synchronous loop: exactly what piping
 * `asOperator(p)` for each processor gives, without an RxJS subscriber hop
 * (and its closures) per processor per fact.
 *
 * The semantics are those of `asOperator`: processor i handles a fact, every
 * fact it emits runs through processors i+1.. (and reaches the output) at
 * once, and then the fact itself goes on to processor i+1. So each processor
 * sees derived facts before the fact they were derived from, in the same
 * order as the operator chain delivers them.
 */
import type { Fact } from './facts.js';
import type { Emit, Processor } from './processor.js';

export class ProcessorChain {
  private readonly processors: readonly Processor[];
  /** emitTo[i] runs a fact from processor i on; built once, so handling a fact allocates no closure. */
  private readonly emitTo: Emit[];

  constructor(processors: readonly Processor[], private readonly out: Emit) {
    this.processors = [...processors];
    const n = this.processors.length;
    this.emitTo = [];
    for (let i = 0; i <= n; i++) this.emitTo.push(i === n ? out : (fact) => this.runFrom(i, fact));
  }

  /** Runs one fact through the whole chain; everything it leads to reaches `out` before this returns. */
  push(fact: Fact): void {
    this.runFrom(0, fact);
  }

  private runFrom(from: number, fact: Fact): void {
    const ps = this.processors;
    const emitTo = this.emitTo;
    // Recursion only through emitted facts (depth ≤ chain length); the fact itself moves on in this loop.
    for (let i = from; i < ps.length; i++) ps[i]!.handle(fact, emitTo[i + 1]!);
    this.out(fact);
  }
}
