/**
 * Rolling MTTR (SPEC §4.6): mean, p50 and p90 of recovery time over state
 * incidents resolved in the trailing 1 h, 24 h and 7 d, overall (scope '*')
 * and per env, plus the open incidents and the age of the oldest at `asOf`.
 *
 * An `mttr` fact (one snapshot per scope × window) is emitted:
 * - when a state incident opens (asOf = the fact's time) or resolves
 *   (asOf = resolvedAt);
 * - when an open incident has been open longer than `breachAfterMs` (default
 *   30 min): a one-shot timer at startedAt + breachAfterMs + 1 ms, so the
 *   alerting downstream sees the breach at the moment it happens (the
 *   snapshot then has oldestOpenMs > breachAfterMs);
 * - when an `event` or `incident` fact crosses a `windowMs` boundary
 *   (asOf = the latest boundary crossed, one snapshot per crossing however
 *   many boundaries the gap spans), only if there is something to report and
 *   no snapshot at or after that boundary was emitted already (nor is about
 *   to be, by the incident fact being handled).
 * - when a resolved incident leaves the mttr_breach rule's window
 *   (`departureWindowMs`, asOf = resolvedAt + window), so the rolling mean
 *   the rule judges is published when it changes by time alone.
 * `advance` never triggers a snapshot by itself (it only fires due breach
 * timers, which never reschedule, and departures, one per resolved incident),
 * so the end-of-input +Infinity advance terminates.
 *
 * Decisions where the SPEC is silent:
 * - Only `kind: 'state'` incidents count; determinism incidents are a
 *   correctness signal about hydration rules, not a recovery of a running
 *   environment, so they would skew MTTR.
 * - Trailing window ending at asOf = resolvedAt in (asOf − window, asOf].
 * - Incident facts cross boundaries as well as events: they are derived from
 *   an event at the same time and reach this processor before it, and a
 *   snapshot must describe the state at its boundary, before that change.
 * - State is bounded: resolved incidents are kept 7 d, at most
 *   EXACT_RESOLVED_KEPT one by one and the older ones past that folded into
 *   time bins (mttr-folded.ts: exact figures up to the bound, the windows'
 *   starts to 1/60 of their length and p50/p90 to 1 % past it); open ones
 *   until they resolve (keyed: bounded by keys). An `updated` fact for an
 *   unknown open incident (e.g. after a restart) registers it silently.
 *
 * Live-mode state: the open incidents are keyed (KeyedStateStore, under the
 * key `<env>/<artifact>` of the incident) with their pending breach timers
 * (stored as they are: whether an open incident still has one depends on
 * when it was learnt of), so they move with the key's partition — the member
 * that now owns the key resolves the incident, and the one that lost it must
 * not keep it open (it would report the incident open for ever and fire a
 * false mttr_breach once it reached 30 min). The resolved incidents, the
 * last boundary and snapshot times are whole (WholeStateStore): per env and
 * overall, this instance's share with several instances (README).
 */
import { defaultProcessingOptions, type ProcessingOptions } from '../config/processing-options.js';
import { windowStart } from '../lib/time.js';
import type { Fact, FactKind, FactOf } from './facts.js';
import type { Emit, Processor } from './processor.js';
import { TimerQueue } from './timer-queue.js';
import { decodeTime, encodeTime, stateKey, type KeyedStateStore, type WholeStateStore } from './stateful.js';
import { KeyedEntries } from './keyed-entries.js';
import type { Open, Resolved } from './mttr-snapshots.js';
import { ResolvedIncidents } from './mttr-resolved.js';
import type { FoldedSnapshot } from './mttr-folded.js';
import { OpenStarts } from './mttr-open-starts.js';
import { mttrSettings, type MttrOptions } from './mttr-options.js';
import { oldestOpenPastBreach } from './mttr-oldest-open.js';

/** Plain JSON form of the processor's whole state. */
export interface MttrStateSnapshot {
  /** The resolved incidents of the last 7 d kept one by one. */
  resolved: Resolved[];
  /** The older ones past the bound, folded (mttr-folded.ts); absent when none (and in snapshots from before). */
  folded?: FoldedSnapshot;
  lastBoundary: number | null;
  /** null: no snapshot emitted yet (-Infinity). */
  lastAsOf: number | null;
}

/** Plain JSON form of one key's open incidents. */
export interface MttrKeySnapshot {
  open: Array<[incidentId: string, incident: Open]>;
  /** Pending breach timers: [incidentId, breach time]. */
  breaches: Array<[string, number]>;
}

export class MttrProcessor implements Processor, WholeStateStore, KeyedStateStore {
  readonly name = 'mttr';
  /** Events cross window boundaries and incidents are tracked; other facts only fire what is due (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> = new Set<FactKind>(['event', 'incident']);
  private readonly windowMs: number;
  private readonly breachAfterMs: number;
  /** Breach timers, keyed by incidentId; scheduled once per incident, never rescheduled. */
  private readonly timers = new TimerQueue();
  /** Resolved incidents of the last 7 d, with their ids and rolling figures. */
  private readonly resolved: ResolvedIncidents;
  /** Open state incidents by incidentId, under their key (keyed state: they move with the key's partition). */
  private readonly open: KeyedEntries<Open>;
  /** The open incidents' start times by scope, kept in step with `open` (derived, not state): what a snapshot reads of them. */
  private readonly openStarts = new OpenStarts();
  private lastBoundary: number | undefined;
  private lastAsOf = -Infinity;
  private readonly departureWindowMs: number | undefined;
  /** When the next resolved incident leaves the departure window (Infinity: none); derived from `resolved`, not state. */
  private nextDeparture = Infinity;

  constructor(options: Pick<ProcessingOptions, 'windowMs'> = defaultProcessingOptions, extra: MttrOptions = {}) {
    const settings = mttrSettings(options.windowMs, extra);
    this.windowMs = settings.windowMs;
    this.breachAfterMs = settings.breachAfterMs;
    this.departureWindowMs = settings.departureWindowMs;
    this.resolved = new ResolvedIncidents(settings.exactResolvedKept);
    this.open = new KeyedEntries<Open>(this.openStarts);
  }

  /**
   * Nothing due by `at` (the only thing a fact of another kind than `reads` does: `fireTimed`): no breach timer
   * and no departure (Processor.reads).
   */
  idleAt(at: number): boolean {
    return !(this.nextDeparture <= at && this.nextDeparture !== Infinity) && !this.timers.hasDue(at);
  }

  handle(fact: Fact, emit: Emit): void {
    // A snapshot this fact emits itself supersedes a boundary or breach snapshot at the same instant.
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    const own = this.ownSnapshotAsOf(fact);
    if (fact.kind === 'event' || fact.kind === 'incident') {
      const boundary = this.crossedBoundary(at);
      if (boundary !== undefined) {
        this.fireTimed(boundary, own, emit);
        if (boundary > this.lastAsOf && boundary !== own && this.hasData(boundary)) this.emitSnapshots(boundary, boundary, emit);
      }
    }
    this.fireTimed(at, own, emit);
    if (fact.kind === 'incident' && fact.incident.kind === 'state') this.onIncident(fact, emit);
  }

  /**
   * When the next resolved incident leaves the alert rule's window (and a
   * snapshot is published for it); Infinity when none will.
   */
  get nextDepartureAt(): number {
    return this.nextDeparture;
  }

  /** What is kept of the resolved incidents: one by one, and the time bins of those folded past that (tests, metrics). */
  get resolvedKept(): { oneByOne: number; bins: number } {
    return { oneByOne: this.resolved.size, bins: this.resolved.foldedBins };
  }

  /** Open state incidents tracked (tests, metrics). */
  get openIncidents(): number {
    return this.open.size;
  }

  snapshot(): MttrStateSnapshot {
    const folded = this.resolved.foldedSnapshot();
    return {
      resolved: this.resolved.snapshot(),
      ...(folded === undefined ? {} : { folded }),
      lastBoundary: this.lastBoundary === undefined ? null : encodeTime(this.lastBoundary),
      lastAsOf: encodeTime(this.lastAsOf),
    };
  }

  /**
   * Replaces the whole state with a snapshot; the open incidents are keyed
   * state and stay as restored. (A checkpoint written before they were keyed
   * also lists open incidents here: they are not taken, since this instance
   * may no longer own their keys; an open incident is learnt again from its
   * next update.)
   */
  restore(state: MttrStateSnapshot): void {
    this.resolved.restore(state.resolved, state.folded);
    this.lastBoundary = state.lastBoundary ?? undefined;
    this.lastAsOf = decodeTime(state.lastAsOf, -Infinity);
    this.nextDeparture = this.resolved.departureAfter(this.lastAsOf, this.departureWindowMs);
  }

  drainDirtyKeys(): string[] {
    return this.open.drainDirtyKeys();
  }

  snapshotKey(key: string): MttrKeySnapshot | undefined {
    const ids = this.open.idsOf(key);
    if (ids.length === 0) return undefined;
    const open: MttrKeySnapshot['open'] = [];
    const breaches: MttrKeySnapshot['breaches'] = [];
    for (const id of ids) {
      const { env, startedAt } = this.open.get(id)!;
      open.push([id, { env, startedAt }]);
      const due = this.timers.dueTime(id);
      if (due !== undefined) breaches.push([id, due]);
    }
    return { open, breaches };
  }

  /** Replaces one key's open incidents and re-arms their pending breach timers. */
  restoreKey(key: string, state: MttrKeySnapshot): void {
    for (const id of this.open.restoreKey(key, state.open.map(([id, o]) => [id, { env: o.env, startedAt: o.startedAt }] as const))) this.timers.cancel(id);
    for (const [id, due] of state.breaches) if (this.open.has(id)) this.timers.schedule(id, due);
  }

  /** Forgets one key's open incidents and their timers (its partition was revoked). */
  dropKey(key: string): void {
    for (const id of this.open.dropKey(key)) this.timers.cancel(id);
  }

  private crossedBoundary(at: number): number | undefined {
    const b = windowStart(at, this.windowMs);
    const prev = this.lastBoundary;
    if (prev === undefined || b > prev) this.lastBoundary = b;
    return prev !== undefined && b > prev ? b : undefined;
  }

  /**
   * Breach timers and departures due by `now`, in time order (a snapshot is
   * only emitted after the last one: an earlier one skipped would be lost).
   * A breach at the same instant as a departure shares its snapshot.
   */
  private fireTimed(now: number, own: number | undefined, emit: Emit): void {
    while (this.nextDeparture <= now && this.nextDeparture !== Infinity) {
      const at = this.nextDeparture;
      this.fireBreaches(at, own, emit);
      if (at > this.lastAsOf && at !== own) this.emitSnapshots(at, at, emit);
      this.nextDeparture = this.resolved.departureAfter(Math.max(at, this.lastAsOf), this.departureWindowMs);
    }
    this.fireBreaches(now, own, emit);
  }

  /** Runs on every fact, so the closure lives in `fireDueBreaches` (see there). */
  private fireBreaches(now: number, own: number | undefined, emit: Emit): void {
    if (this.timers.hasDue(now)) this.fireDueBreaches(now, own, emit);
  }

  /** A closure written in the caller would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireDueBreaches(now: number, own: number | undefined, emit: Emit): void {
    this.timers.fireDue(now, (_id, time) => {
      // Several incidents breaching at the same instant share one snapshot.
      if (time > this.lastAsOf && time !== own) this.emitSnapshots(time, time, emit);
    });
  }

  /** asOf of the snapshot `fact` will emit when handled (an incident opening or resolving), if any. */
  private ownSnapshotAsOf(fact: Fact): number | undefined {
    if (fact.kind !== 'incident' || fact.incident.kind !== 'state') return undefined;
    const id = fact.incident.incidentId;
    if (this.resolved.has(id)) return undefined;
    if (fact.change === 'opened') return this.open.has(id) ? undefined : fact.at;
    if (fact.change === 'resolved') return fact.incident.resolvedAt ?? fact.at;
    return undefined;
  }

  private onIncident(fact: FactOf<'incident'>, emit: Emit): void {
    const inc = fact.incident;
    switch (fact.change) {
      case 'opened':
        if (this.open.has(inc.incidentId) || this.resolved.has(inc.incidentId)) return;
        this.track(inc.incidentId, inc.env, inc.artifact, inc.startedAt, fact.at);
        this.emitSnapshots(fact.at, fact.at, emit);
        return;
      case 'updated':
        if (inc.resolvedAt === null && !this.open.has(inc.incidentId) && !this.resolved.has(inc.incidentId)) {
          this.track(inc.incidentId, inc.env, inc.artifact, inc.startedAt, fact.at);
        }
        return;
      case 'resolved': {
        if (this.resolved.has(inc.incidentId)) return;
        this.open.delete(inc.incidentId);
        this.timers.cancel(inc.incidentId);
        const resolvedAt = inc.resolvedAt ?? fact.at;
        const recoveryMs = inc.recoveryMs ?? Math.max(0, resolvedAt - inc.startedAt);
        const resolved: Resolved = { incidentId: inc.incidentId, env: inc.env, resolvedAt, recoveryMs };
        this.resolved.add(resolved);
        if (this.departureWindowMs !== undefined) this.nextDeparture = Math.min(this.nextDeparture, resolvedAt + this.departureWindowMs);
        this.emitSnapshots(resolvedAt, fact.at, emit);
        return;
      }
    }
  }

  private track(incidentId: string, env: string, artifact: string, startedAt: number, now: number): void {
    this.open.set(incidentId, stateKey(env, artifact), { env, startedAt });
    // Open *longer than* breachAfterMs (SPEC §4.6): the first millisecond past it. An incident resolved at exactly
    // 30 min is not a breach, and its resolution (at that instant) comes before this timer.
    const breachAt = startedAt + this.breachAfterMs + 1;
    // Already past the breach age when we learn of it: this fact's snapshot shows it.
    if (breachAt > now) this.timers.schedule(incidentId, breachAt);
  }

  private hasData(asOf: number): boolean {
    return this.resolved.holdsAt(asOf) || this.open.size > 0;
  }

  private emitSnapshots(asOf: number, at: number, emit: Emit): void {
    this.resolved.prune(asOf);
    this.lastAsOf = Math.max(this.lastAsOf, asOf);
    const snapshots = this.resolved.snapshots(asOf, this.openStarts, this.open.values());
    const oldestOpen = oldestOpenPastBreach(asOf, snapshots, this.breachAfterMs, this.open);
    emit(oldestOpen === undefined ? { kind: 'mttr', at, snapshots } : { kind: 'mttr', at, snapshots, oldestOpen });
  }
}
