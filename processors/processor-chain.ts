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
import type { Fact, FactKind } from './facts.js';
import type { Emit, Processor } from './processor.js';

export class ProcessorChain {
  private readonly processors: readonly Processor[];
  /**
   * Per fact kind, takes[i]: whether processor i handles facts of the kind
   * whatever the time (it reads the kind, or declares no `reads`); when not,
   * it is called only while it has something due (Processor.reads). One
   * look-up per fact rather than one per processor.
   */
  private readonly takesByKind = new Map<FactKind, readonly boolean[]>();
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

  private takesOf(kind: FactKind): readonly boolean[] {
    const takes = this.processors.map((p) => p.reads === undefined || p.idleAt === undefined || p.reads.has(kind));
    this.takesByKind.set(kind, takes);
    return takes;
  }

  private runFrom(from: number, fact: Fact): void {
    const ps = this.processors;
    const emitTo = this.emitTo;
    const takes = this.takesByKind.get(fact.kind) ?? this.takesOf(fact.kind);
    const at = fact.at;
    // Recursion only through emitted facts (depth ≤ chain length); the fact itself moves on in this loop.
    for (let i = from; i < ps.length; i++) {
      const p = ps[i]!;
      // A kind the processor does not read, with nothing of its due: the call would do nothing (Processor.reads).
      if (!takes[i] && p.idleAt!(at)) continue;
      p.handle(fact, emitTo[i + 1]!);
    }
    this.out(fact);
  }
}
