/**
 * What the scenario generator simulates per key (env, artifact): its
 * hydration replicas and index instances (each reporting the digest it runs
 * every few seconds), the desired version, and the queue of timed steps of
 * the episode in progress. Memory is bounded by keys × sources, never by the
 * number of events generated.
 */
import { MinHeap } from '../../lib/min-heap.js';
import { artifactDigest, ruleOutputDigest } from './event-builders.js';

/** A timed step of an episode; `run` emits its events through the generator. */
export interface Step {
  at: number;
  seq: number;
  run: () => void;
}

/** A scheduled task of the generator: a source's next report, or a key's next step. */
interface TaskBase {
  /** Event time the task runs at. */
  at: number;
  /** Fixed tie-breaker, so equal times always run in the same order. */
  readonly order: number;
}

export interface SourceSim extends TaskBase {
  readonly key: KeySim;
  readonly type: 'hydration' | 'index';
  readonly instance: string;
  /** Hydration rule it runs ('' for index instances). */
  readonly ruleId: string;
  readonly shard: string;
  digest: string;
  /** What the (deterministic) rule outputs for `digest`. */
  outputDigest: string;
  /** False once stopped: its next report is dropped and it is not rescheduled. */
  active: boolean;
}

export interface Desired {
  version: string;
  digest: string;
}

const stepLess = (a: Step, b: Step) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class KeySim implements TaskBase {
  at = Number.POSITIVE_INFINITY;
  readonly key: string;
  readonly rules: string[];
  readonly sources: SourceSim[] = [];
  readonly steps = new MinHeap<Step>(stepLess);
  desired: Desired;
  /** True while the desired state came from a rollback. */
  fromRollback = false;
  /** Earliest time the next episode may start. */
  cursor = 0;
  private versionSeq = 0;
  private promotionSeq = 0;
  private stepSeq = 0;
  private extraSeq = 0;

  constructor(
    readonly order: number,
    readonly env: string,
    readonly envIndex: number,
    readonly artifact: string,
    opts: { replicas: number; indexInstances: number; rulesPerKey: number; nextOrder: () => number },
  ) {
    this.key = `${env}/${artifact}`;
    this.rules = ['render', 'merge', 'enrich', 'localize', 'compact'].slice(0, opts.rulesPerKey);
    while (this.rules.length < opts.rulesPerKey) this.rules.push(`rule-${this.rules.length + 1}`);
    this.desired = this.nextVersion();
    for (let i = 0; i < opts.replicas; i++) {
      this.sources.push(this.newSource(opts.nextOrder(), 'hydration', `${artifact}-hyd-${i + 1}`, this.rules[i % this.rules.length]!, `shard-${i + 1}`));
    }
    for (let i = 0; i < opts.indexInstances; i++) {
      this.sources.push(this.newSource(opts.nextOrder(), 'index', `${artifact}-idx-${i + 1}`, '', `shard-${i + 1}`));
    }
  }

  /** A source of this key running the current desired digest (not yet scheduled). */
  newSource(order: number, type: 'hydration' | 'index', instance: string, ruleId: string, shard: string): SourceSim {
    const s: SourceSim = { at: 0, order, key: this, type, instance, ruleId, shard, digest: '', outputDigest: '', active: true };
    setDigest(s, this.desired.digest);
    return s;
  }

  /** The next version of the artifact (not desired until a promotion succeeds). */
  nextVersion(): Desired {
    this.versionSeq++;
    const version = `${1 + Math.floor(this.versionSeq / 10)}.${this.versionSeq % 10}.0`;
    return { version, digest: artifactDigest(this.artifact, version) };
  }

  nextPromotionId(): string {
    return `${this.env}-${this.artifact}-p${++this.promotionSeq}`;
  }

  /** Per-key counter for canary instances, rogue digests, stray outputs. */
  nextExtra(): number {
    return ++this.extraSeq;
  }

  hydrations(): SourceSim[] {
    return this.sources.filter((s) => s.type === 'hydration');
  }

  indexes(): SourceSim[] {
    return this.sources.filter((s) => s.type === 'index');
  }

  schedule(at: number, run: () => void): void {
    this.steps.push({ at, seq: this.stepSeq++, run });
  }
}

export function setDigest(s: SourceSim, digest: string): void {
  s.digest = digest;
  s.outputDigest = s.type === 'hydration' ? ruleOutputDigest(s.ruleId, digest) : '';
}

const artifactNames = [
  'api', 'web', 'search', 'pay', 'auth', 'catalog', 'cart', 'checkout', 'cfg', 'feed', 'geo', 'inventory',
  'ledger', 'mail', 'notify', 'orders', 'pricing', 'profile', 'recs', 'reviews', 'shipping', 'stock', 'tax', 'users',
];

/** Artifact name number i: a realistic name first, then svc-025, svc-026… */
export function artifactName(i: number): string {
  return artifactNames[i] ?? `svc-${String(i + 1).padStart(3, '0')}`;
}
