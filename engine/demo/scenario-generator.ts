/**
 * The synthetic scenario: a lazy, deterministic (per seed) stream of input
 * events (SPEC §3) from many keys, in roughly event-time order — arrival
 * differs from event time by less than 2 × jitter (< 20 s), a few events are
 * sent twice, a few lines are malformed — with incidents injected on purpose
 * and recorded as ground truth (`injected`).
 *
 * Records are produced one at a time (`next()` or iteration): the generator
 * holds one scheduled task per source and per key plus a small reorder buffer,
 * so a million events cost the memory of the keys, not of the events.
 */
import type { InputEventType } from '../../schemas/input-events.js';
import { hydrationEvent, indexEvent, promotionEvent, type PromotionFields } from './event-builders.js';
import { RecordOutbox, type GeneratedRecord } from './record-outbox.js';
import type { InjectedIncident } from './ground-truth.js';
import { KeySim, artifactName, type SourceSim } from './key-sim.js';
import { planInitial, type EpisodeSink } from './episode-planner.js';
import { EpisodeChooser } from './episode-choice.js';
import { Prng } from './prng.js';
import { MinHeap } from '../../lib/min-heap.js';
import { keyCount, resolveScenarioOptions, type ScenarioInput, type ScenarioOptions } from './scenario-options.js';
import { MINUTE, SECOND } from '../../lib/time.js';

export interface GeneratorStats {
  records: number;
  events: number;
  duplicates: number;
  malformed: number;
  byType: Record<InputEventType, number>;
  /** Largest event time handed out so far (-Infinity before the first record). */
  lastEventAt: number;
}

// Two queues, each of one object shape, so the comparisons stay monomorphic (they run ~50 times per record).
const sourceLess = (a: SourceSim, b: SourceSim) => a.at < b.at || (a.at === b.at && a.order < b.order);
const keyLess = (a: KeySim, b: KeySim) => a.at < b.at || (a.at === b.at && a.order < b.order);
/** An episode must end this long before the span does (a margin for the end-of-input timers). */
const TAIL_MS = MINUTE;

export type { GeneratedRecord } from './record-outbox.js';

export class ScenarioGenerator implements EpisodeSink, Iterable<GeneratedRecord> {
  readonly options: ScenarioOptions;
  readonly rng: Prng;
  /** Ground truth, in planning order; grows while records are generated (episodes are planned just in time). */
  readonly injected: InjectedIncident[] = [];
  readonly stats: GeneratorStats = { records: 0, events: 0, duplicates: 0, malformed: 0, byType: { promotion: 0, hydration: 0, index: 0 }, lastEventAt: Number.NEGATIVE_INFINITY };
  readonly keys: KeySim[] = [];
  private readonly sourceTasks = new MinHeap<SourceSim>(sourceLess);
  private readonly keyTasks = new MinHeap<KeySim>(keyLess);
  private readonly outbox: RecordOutbox;
  private readonly pendingTriggers = new Map<string, InjectedIncident>();
  private readonly chooser: EpisodeChooser;
  private readonly spanEnd: number;
  private readonly idPrefix: string;
  private orderSeq = 0;
  private eventSeq = 0;
  private peeked: GeneratedRecord | undefined;

  constructor(input: ScenarioInput = {}) {
    const o = (this.options = resolveScenarioOptions(input));
    this.rng = new Prng(o.seed);
    this.outbox = new RecordOutbox(this.rng, o);
    this.chooser = new EpisodeChooser(o.kinds);
    this.spanEnd = o.startAt + o.spanMs;
    this.idPrefix = `ev${(o.seed >>> 0).toString(36)}-`;
    const n = keyCount(o);
    for (let i = 0; i < n; i++) {
      const envIndex = i % o.envs.length;
      const k = new KeySim(this.newOrder(), o.envs[envIndex]!, envIndex, artifactName(Math.floor(i / o.envs.length)), {
        ...o,
        nextOrder: () => this.newOrder(),
      });
      this.keys.push(k);
      for (const s of k.sources) {
        s.at = o.startAt + this.rng.ms(0, o.observeEveryMs);
        this.sourceTasks.push(s);
      }
      const first = planInitial(this, k, o.startAt + this.rng.ms(0, MINUTE));
      if (first.end + TAIL_MS <= this.spanEnd) {
        first.commit();
        k.cursor = first.end + this.gap();
        this.rearm(k);
      }
    }
  }

  /** The next record, or undefined when the scenario is over (or maxRecords reached). */
  next(): GeneratedRecord | undefined {
    const r = this.peek();
    if (r === undefined) return undefined;
    this.peeked = undefined;
    return this.handOut(r);
  }

  /**
   * The record `next()` will return, without handing it out: a real-time
   * sender can wait for its send time, and a stop in between leaves it
   * ungenerated (its injected incident, if it triggers one, not expected).
   */
  peek(): GeneratedRecord | undefined {
    if (this.peeked !== undefined) return this.peeked;
    if (this.options.maxRecords !== undefined && this.stats.records >= this.options.maxRecords) return undefined;
    for (;;) {
      const top = this.outbox.peek();
      const source = this.sourceTasks.peek();
      const key = this.keyTasks.peek();
      const taskAt = Math.min(source?.at ?? Infinity, key?.at ?? Infinity);
      // Every record still to be made has sendAt ≥ the next task's time, so `top` is next in send order.
      if (top !== undefined && top.sendAt <= taskAt) return (this.peeked = this.outbox.pop()!);
      if (source === undefined && key === undefined) return undefined;
      // Keys first on a tie: a step (e.g. a digest switch) is then seen by a report at the same instant.
      if (key !== undefined && key.at <= taskAt) this.runKey(this.keyTasks.pop()!);
      else this.runSource(this.sourceTasks.pop()!);
    }
  }

  *[Symbol.iterator](): Iterator<GeneratedRecord> {
    for (let r = this.next(); r !== undefined; r = this.next()) yield r;
  }

  // ── EpisodeSink ────────────────────────────────────────────────────────

  promotion(k: KeySim, at: number, fields: PromotionFields, correlationId?: string): string {
    const eventId = this.newEventId();
    this.outbox.push(promotionEvent({ eventId, at, env: k.env, artifact: k.artifact, correlationId }, fields), k.key, at);
    return eventId;
  }

  observe(s: SourceSim, at: number, extra: { outputDigest?: string; correlationId?: string } = {}): string {
    return this.report(s, at, true, extra);
  }

  startSource(s: SourceSim, at: number): void {
    this.observe(s, at);
    s.at = at + this.interval();
    this.sourceTasks.push(s);
  }

  newOrder(): number {
    return this.orderSeq++;
  }

  trigger(inj: InjectedIncident, eventId: string): void {
    inj.triggerEventId = eventId;
    this.pendingTriggers.set(eventId, inj);
  }

  // ── internals ──────────────────────────────────────────────────────────

  private runSource(s: SourceSim): void {
    if (!s.active || s.at >= this.spanEnd) return; // silent from now on: not rescheduled
    this.report(s, s.at, false, {});
    s.at += this.interval();
    this.sourceTasks.push(s);
  }

  private runKey(k: KeySim): void {
    k.steps.pop()!.run();
    this.rearm(k);
  }

  /** Schedules the key at its next step, planning episodes until one has steps (or none fits in the span). */
  private rearm(k: KeySim): void {
    let step = k.steps.peek();
    while (step === undefined) {
      const plan = this.chooser.next(this, k, k.cursor);
      if (plan.end + TAIL_MS > this.spanEnd) return; // the key's last episode is over
      const inj = plan.commit();
      if (inj) {
        inj.id = `inj-${this.injected.length + 1}`;
        this.injected.push(inj);
      }
      k.cursor = plan.end + this.gap();
      step = k.steps.peek();
    }
    k.at = step.at;
    this.keyTasks.push(k);
  }

  /** One report of a source: an observation of its digest; periodic ones fail now and then (not observations then). */
  private report(s: SourceSim, at: number, forced: boolean, extra: { outputDigest?: string; correlationId?: string }): string {
    const { rng, options: o } = this;
    const k = s.key;
    const eventId = this.newEventId();
    const h = { eventId, at, env: k.env, artifact: k.artifact, correlationId: extra.correlationId };
    if (s.type === 'hydration') {
      const failed = !forced && rng.chance(o.hydrationErrorRate);
      this.outbox.push(hydrationEvent(h, {
        ruleId: s.ruleId,
        instance: s.instance,
        inputDigest: s.digest,
        outputDigest: extra.outputDigest ?? s.outputDigest,
        durationMs: rng.int(20, 400),
        // undefined = no error field (the builder adds it only when set): no spread per record.
        error: failed ? 'timeout while loading the artifact' : undefined,
      }), k.key, at);
    } else {
      const ok = forced || !rng.chance(o.indexErrorRate);
      const op = forced || rng.chance(0.85) ? 'read' : 'write';
      const latencyMs = rng.chance(0.02) ? rng.int(80, 400) : rng.int(2, 30);
      this.outbox.push(indexEvent(h, { op, instance: s.instance, servedDigest: s.digest, latencyMs, ok, shard: s.shard }), k.key, at);
    }
    return eventId;
  }

  private handOut(r: GeneratedRecord): GeneratedRecord {
    const s = this.stats;
    s.records++;
    if (r.kind === 'event') {
      s.events++;
      s.byType[r.type]++;
      if (this.pendingTriggers.size > 0) {
        const inj = this.pendingTriggers.get(r.eventId);
        if (inj) {
          inj.armed = true;
          this.pendingTriggers.delete(r.eventId);
        }
      }
    } else if (r.kind === 'duplicate') s.duplicates++;
    else s.malformed++;
    if (r.at > s.lastEventAt) s.lastEventAt = r.at;
    return r;
  }

  private newEventId(): string {
    // Fixed width: string order of ids = generation order (the engine breaks event-time ties by eventId).
    return this.idPrefix + (this.eventSeq++).toString(36).padStart(8, '0');
  }

  private interval(): number {
    const every = this.options.observeEveryMs;
    return this.rng.ms(0.8 * every, 1.2 * every);
  }

  private gap(): number {
    const g = this.options.episodeGapMs;
    return this.rng.ms(0.5 * g, 1.5 * g) + 10 * SECOND;
  }
}

/** Shorthand: a generator for the given options. */
export function createScenario(input: ScenarioInput = {}): ScenarioGenerator {
  return new ScenarioGenerator(input);
}
