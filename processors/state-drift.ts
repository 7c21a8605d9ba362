/**
 * State drift (SPEC §4.1–§4.4): joins promotions (desired state) with the
 * observations of hydrations and index operations per key `(env, artifact)`,
 * emits one `observation` fact per observation and the lifecycle of
 * state-drift incidents (`incident` facts: opened, updated, resolved).
 *
 * Time moves by facts and by one event-time timer per key, set no later than
 * the key's next boundary (the earliest grace end or in-flight expiry, or the
 * expiry of its last divergent source), so a lagging replica becomes divergent
 * exactly when its grace ends and a drift whose sources fall silent for longer
 * than `sourceTtlMs` (SPEC §4.2) resolves at the first millisecond past that,
 * `sourceTtlMs + 1` after the last one's observation. Other silent sources
 * change nothing the key emits: they are forgotten at its next evaluation
 * (KeyState.expiryBound), so a key's expiries cost one evaluation per batch,
 * not one per source. A timer is only ever moved earlier between firings: a timer
 * that fires before any boundary re-judges the key, finds nothing changed,
 * emits nothing and re-arms at the real boundary — far cheaper than a heap
 * entry per observation (each observation pushes its source's expiry later).
 * Timers are bounded by keys, not by events.
 *
 * A key is judged once per instant, after the last of its events at that
 * millisecond (`judge`, state-drift/instant-judgements.ts): between two of
 * them it is in a state that holds at no instant.
 *
 * Most observations cannot change the judgement (an acceptable digest from a
 * source that was not divergent, or a drifted source repeating its digest
 * while the key's incident is open); those skip the key's evaluation (see
 * `onEvent`), which is what it would have concluded.
 *
 * State is per key and JSON-serialisable (KeyedStateStore): the key's timer
 * is not stored but re-derived on restore from the key's boundaries, which
 * after every evaluation all lie after the evaluation time; the uninterrupted
 * run's pending timer is at that earliest boundary or before it, where it
 * fires without effect, so both emit the same facts.
 *
 * Late facts (`kind: 'late'`): a late observation updates its source only
 * when it is the newest the source has reported, judged from the frontier on
 * (`onLateObservation`: a replica whose clock runs behind sends nothing else),
 * and is emitted as an `observation` when its drift window is still open.
 * A late promotion is not dropped either — desired state must not miss a promotion: a terminal
 * event ends its in-flight promotion, a `succeeded`/`rolled_back` newer
 * than the current desired `since` becomes the desired state, and a `started`
 * of a promotion that has not ended puts its digest in flight. Its effects
 * (grace periods, re-judging the sources) start at the late fact's `at`, the
 * current frontier, because event time before the frontier has already been
 * judged and emitted.
 */
import type { ProcessingOptions } from '../config/processing-options.js';
import type { SeverityClassifier } from '../config/alert-rules.js';
import type { Envelope, Fact, FactOf, Incident, Observation } from './facts.js';
import { lateEventWindowOpen } from './late-window.js';
import type { Emit, Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { DesiredState, type DesiredStateOptions } from './desired-state.js';
import type { HydrationEvent, IndexEvent, PromotionEvent } from '../schemas/input-events.js';
import { KeyState, type StateDriftKeySnapshot, type Trigger } from './state-drift/key-state.js';
import { incidentFact, OpenIncidentTally } from './state-drift/incident-lifecycle.js';
import { DirtyKeys, type KeyedStateStore } from './stateful.js';
import { SourceBound } from './state-drift/source-bound.js';
import { driftSeverity, type DriftSeverity } from './state-drift/drift-severity.js';
import { InstantJudgements } from './state-drift/instant-judgements.js';

export type { StateDriftKeySnapshot } from './state-drift/key-state.js';

export class StateDriftProcessor implements Processor, KeyedStateStore {
  readonly name = 'state-drift';
  private readonly keys = new Map<string, KeyState>();
  private readonly timers = new TimerQueue();
  /** Keys to judge once the last event of their instant is in (see `judge`). */
  private readonly instant = new InstantJudgements();
  private readonly dirty = new DirtyKeys();
  private readonly desiredOptions: DesiredStateOptions;
  /** Keys with an open incident, kept by their lifecycles (so the gauge needs no scan). */
  private readonly openTally = new OpenIncidentTally();
  /** How many sources a key keeps at once, and how many were dropped for it (state-drift/source-bound.ts). */
  private readonly sourceBound: SourceBound;
  /** The severity of an incident (state-drift/drift-severity.ts). */
  private readonly severityOf: DriftSeverity;

  /** `rollbackFailedEnabled`: alerts.yaml's rules.rollback_failed.enabled (a rollback raises an incident only then). */
  constructor(
    private readonly options: ProcessingOptions,
    classify: SeverityClassifier,
    rollbackFailedEnabled = true,
  ) {
    this.desiredOptions = { convergenceGraceMs: options.convergenceGraceMs };
    this.sourceBound = new SourceBound(options.maxSourcesPerKey);
    this.severityOf = driftSeverity(classify, rollbackFailedEnabled);
  }

  /** New sources not kept, or kept in another's place, because their key held maxSourcesPerKey (tests, metrics). */
  get sourcesDropped(): number {
    return this.sourceBound.dropped;
  }

  handle(fact: Fact, emit: Emit): void {
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    // Timers due strictly before `at`: one due at `at` itself waits for a later fact, so that the events of an
    // instant are taken in before what time alone does at that instant. A replica reporting the new digest at the
    // very millisecond its grace ends never drifted (its latest digest was acceptable at every instant), and a
    // source reporting at the very millisecond it would expire is not forgotten; firing first made a 0 ms
    // incident (an alert fired and resolved) of the one, and resolved and reopened the other's incident. The
    // evaluation the fact itself triggers at `at` judges every source at `at` anyway. The same "strictly before"
    // as the escalations (AlertBook.fireDueBefore). End of input advances to +Infinity, which fires them all.
    if (this.instant.size > 0 && at > this.instant.instant) this.judgeInstant(emit); // not expected: the instant's last event judges it
    if (this.timers.hasDue(at - 1)) this.fireTimers(at - 1, emit);
    if (fact.kind === 'event') {
      this.onEvent(fact.envelope, at, fact.tied === true, emit);
      if (this.instant.size > 0 && fact.tied !== true) this.judgeInstant(emit);
    } else if (fact.kind === 'late') this.onLate(fact, at, emit);
  }

  /**
   * Judges the key at `at` now, or once the instant's last event is in (`tied`: more events of `at` follow). A key
   * is judged once per instant: between two events of one instant the key is in a state that holds at no instant,
   * and judging it there split one incident in two when one source converged and another drifted at the same
   * millisecond, or opened and resolved a 0 ms incident (an alert fired and resolved) when one source reported a
   * rogue and the desired digest at the same millisecond — depending on which eventId sorts first. The last
   * trigger of the instant is kept (InstantJudgements.add).
   */
  private judge(envelope: Envelope, ks: KeyState, at: number, trigger: Trigger, tied: boolean, emit: Emit): void {
    if (!tied && this.instant.size === 0) this.evaluate(envelope.key, ks, at, trigger, emit);
    else this.instant.add(envelope.key, at, trigger, envelope);
  }

  /** Judges the keys the events of the instant left to judge (InstantJudgements: in the order of their first event). */
  private judgeInstant(emit: Emit): void {
    const at = this.instant.instant;
    for (const [key, trigger] of this.instant.take()) {
      const ks = this.keys.get(key);
      if (ks === undefined) continue;
      this.dirty.markVia(ks, key); // judged after its event's state was written: write it again
      this.evaluate(key, ks, at, trigger, emit);
    }
  }

  /** A closure written in `handle` would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireTimers(at: number, emit: Emit): void {
    this.timers.fireDue(at, (key, time) => this.onTimer(key, time, emit));
  }

  /**
   * How many keys have an open incident: the live incidents-open gauge, set on
   * every tick. O(1): the keys' lifecycles keep the tally through every open,
   * resolve, restore and drop (a scan was O(keys) per tick).
   */
  openIncidents(): number {
    return this.openTally.value;
  }

  /** The key's open incident, if any (alerting judges it after a restore: AlertingOptions.openIncidents). */
  openIncidentsOf(key: string): Incident[] {
    const incident = this.keys.get(key)?.lifecycle.current;
    return incident ? [{ ...incident }] : [];
  }

  /** Keys with state (desired state, sources or an open incident). */
  keyNames(): string[] {
    return [...this.keys.keys()];
  }

  /** Plain JSON-serialisable state of one key, or undefined when the key has none. */
  snapshotKey(key: string): StateDriftKeySnapshot | undefined {
    const snapshot = this.keys.get(key)?.snapshot();
    const judgeAt = this.instant.snapshotOf(key);
    return snapshot !== undefined && judgeAt !== undefined ? { ...snapshot, judgeAt } : snapshot;
  }

  /** Replaces the state of one key (restart, rebalance) and re-arms its timer. */
  restoreKey(key: string, state: StateDriftKeySnapshot): void {
    const ks = KeyState.restore(state, { ...this.desiredOptions, sourceTtlMs: this.options.sourceTtlMs }, this.openTally, this.sourceBound);
    this.keys.get(key)?.lifecycle.release();
    this.keys.set(key, ks);
    this.instant.restore(key, state.judgeAt);
    // The earliest boundary of any kind; one already passed fires with the next fact.
    this.timers.cancel(key);
    this.reschedule(key, ks, Number.NEGATIVE_INFINITY);
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  /** Forgets a key and its timer (partition revoked; write its dirty state first). */
  dropKey(key: string): void {
    this.keys.get(key)?.lifecycle.release();
    this.keys.delete(key);
    this.timers.cancel(key);
    this.instant.delete(key);
    this.dirty.forget(key);
  }

  private onEvent(envelope: Envelope, at: number, tied: boolean, emit: Emit): void {
    const event = envelope.event;
    if (event.type === 'promotion') {
      const ks = this.keyState(envelope);
      if (ks.desired.apply(event, envelope.at, at)) this.judge(envelope, ks, at, { type: 'promotion' }, tied, emit);
      this.forgetIfEmpty(envelope.key, ks);
      return;
    }
    // Each field of the event is read once: events come in many shapes (types, optional fields), so every read is a
    // megamorphic property load, and env and artifact are the key state's own (the key `<env>/<artifact>` names them).
    const type = event.type;
    if (event.status !== 'ok') return; // not an observation (status error)
    const digest = type === 'hydration' ? event.inputDigest : event.servedDigest;
    if (digest === undefined) return;
    const key = envelope.key;
    const ks = this.keyState(envelope);
    const sourceId = ks.sourceIdOf(type, event.instance);
    const correlationId = event.correlationId;
    const previous = ks.sources.get(sourceId);
    const divergent = ks.isDivergent(digest, at);
    // Whether this observation can change the key's judgement. It cannot when
    // the new digest is acceptable and the source it replaces was not
    // divergent (an idle key has no divergent source at all): the divergent
    // set stays as the last evaluation left it, and nothing else that
    // judgement depends on moved (every boundary before `at` fired as a timer
    // before this fact; one exactly at `at` fires after it, at `at`, and judges
    // the whole key then). Skipping the evaluation then gives what it would
    // have given, no incident change, at a fraction of the cost.
    let quiet = !divergent;
    if (quiet && previous !== undefined && ks.lifecycle.phase === 'open') {
      quiet = previous.digest === digest || !ks.isDivergent(previous.digest, at);
    }
    // Nor can a divergent source repeating its digest while the key's incident is open (KeyState.repeatsDrift).
    const repeated = divergent && previous !== undefined && ks.repeatsDrift(previous, digest, at);
    ks.record(sourceId, previous, digest, at, correlationId);
    emit(observationFact(at, { key, env: ks.env, artifact: ks.artifact, sourceId, digest, managed: ks.desired.managed, divergent }, correlationId));
    if (repeated) return;
    if (quiet) {
      // The only boundary this adds is the source's new expiry, and an acceptable source's expiry changes nothing the
      // key emits: it is forgotten at the key's next evaluation after it (KeyState.expiryBound). A key with a timer
      // keeps it (it re-judges and re-arms when it fires); one without gets one, so its sources are forgotten.
      if (previous === undefined && this.timers.dueTime(key) === undefined) this.timers.schedule(key, at + this.options.sourceTtlMs + 1);
      return;
    }
    this.judge(envelope, ks, at, observationTrigger(sourceId, correlationId), tied, emit);
  }

  private onLate(fact: FactOf<'late'>, at: number, emit: Emit): void {
    const envelope = fact.envelope;
    if (envelope.event.type !== 'promotion') {
      this.onLateObservation(envelope, at, lateEventWindowOpen(fact, this.options.windowMs), emit);
      return;
    }
    const ks = this.keyState(envelope);
    if (ks.desired.apply(envelope.event as PromotionEvent, envelope.at, at, true)) {
      this.evaluate(envelope.key, ks, at, { type: 'promotion' }, emit);
    }
    this.forgetIfEmpty(envelope.key, ks);
  }

  /**
   * A late observation still updates its source when it is the newest that
   * source has reported (by occurredAt): a replica whose clock runs behind by
   * more than the allowed lateness sends nothing but late events, and without
   * this whatever it runs would never be judged. Like a late promotion, it
   * is judged from the frontier (`at`) on — the moment it describes has
   * passed. An older one, or one whose source would already have expired by
   * the frontier, changes no source.
   *
   * Whichever it is, when its drift window is still open (`windowOpen`: the
   * frontier is in it, late-window.ts) its `observation` is emitted, at the
   * frontier and judged there, so the window counts it as it counts the late
   * hydrations and index ops themselves; one of a closed window counts in no
   * drift window (closed windows stay closed).
   */
  private onLateObservation(envelope: Envelope, at: number, windowOpen: boolean, emit: Emit): void {
    const event = envelope.event as HydrationEvent | IndexEvent;
    const digest = observedDigest(event);
    if (digest === undefined) return;
    const existing = this.keys.get(envelope.key);
    const known = existing?.sources.get(existing.sourceIdOf(event.type, event.instance));
    const newest = at - envelope.at <= this.options.sourceTtlMs && (known === undefined || known.at < envelope.at);
    if (!newest && !windowOpen) return;
    const ks = this.keyState(envelope);
    const sourceId = ks.sourceIdOf(event.type, event.instance);
    const correlationId = event.correlationId;
    if (windowOpen) {
      const divergent = ks.isDivergent(digest, at);
      emit(observationFact(at, { key: envelope.key, env: event.env, artifact: event.artifact, sourceId, digest, managed: ks.desired.managed, divergent }, correlationId));
    }
    if (newest) {
      ks.record(sourceId, known, digest, envelope.at, correlationId, at);
      this.evaluate(envelope.key, ks, at, observationTrigger(sourceId, correlationId), emit);
    }
    this.forgetIfEmpty(envelope.key, ks);
  }

  private onTimer(key: string, time: number, emit: Emit): void {
    const ks = this.keys.get(key);
    if (!ks) return;
    this.dirty.markVia(ks, key);
    this.evaluate(key, ks, time, { type: 'timer' }, emit);
    this.forgetIfEmpty(key, ks);
  }

  private evaluate(key: string, ks: KeyState, at: number, trigger: Trigger, emit: Emit): void {
    for (const { change, incident } of ks.evaluate(at, trigger, this.severityOf)) emit(incidentFact(change, incident, at));
    this.reschedule(key, ks, at);
  }

  /**
   * Arms the key's timer no later than its next boundary. A timer already
   * earlier is kept rather than moved later (moving it would leave a stale heap
   * entry per call): when it fires before any boundary the evaluation finds
   * the judgement unchanged, emits nothing, and re-arms at the real boundary.
   * After a timer fired the key has none, so this arms the exact one.
   */
  private reschedule(key: string, ks: KeyState, after: number): void {
    const next = ks.nextBoundaryAfter(after);
    if (next !== undefined) this.timers.scheduleNoLaterThan(key, next);
  }

  /** The key's state, created on first use; every caller may change it, so the key is marked dirty. */
  private keyState(envelope: Envelope): KeyState {
    let ks = this.keys.get(envelope.key);
    if (!ks) {
      const { env, artifact } = envelope.event;
      ks = new KeyState(env, artifact, new DesiredState(this.desiredOptions), this.options.sourceTtlMs, this.openTally, this.sourceBound);
      this.keys.set(envelope.key, ks);
    }
    this.dirty.markVia(ks, envelope.key);
    return ks;
  }

  /** Bounded memory: a key is kept while it has desired state, in-flight or grace entries, sources or an open incident. */
  private forgetIfEmpty(key: string, ks: KeyState): void {
    if (!ks.isEmpty) return;
    ks.lifecycle.release(); // idle (isEmpty), so no change to the tally: released so nothing it does later counts
    this.keys.delete(key);
    this.timers.cancel(key);
  }
}

/** The trigger of an observation, without a correlationId key when it has none (one shape per case). */
function observationTrigger(sourceId: string, correlationId: string | undefined): Trigger {
  return correlationId === undefined ? { type: 'observation', sourceId } : { type: 'observation', sourceId, correlationId };
}

/** The `observation` fact of a judged observation (the correlation id only when the event has one). */
function observationFact(at: number, observation: Observation, correlationId: string | undefined): FactOf<'observation'> {
  return correlationId === undefined ? { kind: 'observation', at, observation } : { kind: 'observation', at, observation, correlationId };
}

function observedDigest(event: HydrationEvent | IndexEvent): string | undefined {
  if (event.status !== 'ok') return undefined;
  return event.type === 'hydration' ? event.inputDigest : event.servedDigest;
}
