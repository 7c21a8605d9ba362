/**
 * Desired state of one key `(env, artifact)` and the digests acceptable at an
 * event time (SPEC §4.1, §4.3). Pure and synchronous: no timers, no emitting;
 * the state-drift processor asks `isAcceptable` and schedules its timer at
 * `nextBoundaryAfter`.
 *
 * Acceptable at t:
 * - the desired digest;
 * - the digest of every in-flight promotion (`started`, no terminal event yet);
 * - grace entries, each acceptable while t < until:
 *   - the previous desired digest, until change time + convergenceGrace;
 *   - a failed promotion's digest, until failure time + convergenceGrace;
 *   - a rolled-back promotion's own digest, until rollback time + grace
 *     (SPEC lists only the previous desired digest; when the promotion never
 *     succeeded that is the rollback target itself, so without this the
 *     replicas that had picked up the canary would be flagged with no grace);
 *   - any digest at all, until the first desired state's time + grace: before
 *     that the previous desired digest is unknown, and replicas running what
 *     they ran before the engine learnt the desired state are lagging, not
 *     drifting, exactly like after any other promotion.
 *
 * Memory is bounded: expired grace entries are dropped by `prune`, and an
 * in-flight promotion that never terminates stops being acceptable and is
 * dropped `inFlightMaxAgeMs` (default 24 h) after it started, so a lost
 * terminal event cannot mask drift forever.
 *
 * Out of order: the ids of promotions whose terminal event was seen are kept
 * (`ended`, for `inFlightMaxAgeMs` after that event, at most
 * MAX_ENDED_PER_KEY per key), so that a late `started` arriving after its
 * terminal event is not taken for a running promotion, while a late `started` of a promotion still
 * running does make its digest acceptable — from the frontier, as every late
 * fact's effect — instead of its canaries being flagged as drift.
 */
import type { PromotionEvent } from '../schemas/input-events.js';
import { DAY } from '../lib/time.js';
import { GraceEntries, type GraceEntry } from './grace-entries.js';

export const DEFAULT_IN_FLIGHT_MAX_AGE_MS = DAY;

/**
 * Ended promotions remembered per key. A key sees a few promotions a day; the
 * cap bounds a key that sees thousands. Past it the oldest id is forgotten,
 * and a `started` of that promotion arriving later still would be in flight
 * until it expires.
 */
export const MAX_ENDED_PER_KEY = 64;

/**
 * Promotions of one key remembered at once within their 24 h: the in-flight
 * ones here, and the start times and counted outcomes of each kind in the
 * promotion windows (promotion-lifecycles.ts). A key sees a few promotions a
 * day; without it one producer inventing promotionIds for a key would grow
 * memory by one entry per event for a day. Past it the oldest is forgotten,
 * as if its 24 h had passed: here its digest stops being acceptable through
 * it (a newer in-flight promotion of the same digest still makes it so).
 */
export const MAX_PROMOTIONS_PER_KEY = 1024;

export interface DesiredDigest {
  version: string;
  digest: string;
  /** occurredAt (epoch ms) of the promotion event that set it. */
  since: number;
  from: 'promotion' | 'rollback';
  promotionId: string;
  /** Who made it and its correlation id, when the event says (for the alert text; absent in older snapshots). */
  actor?: string;
  correlationId?: string;
}

export interface InFlightPromotion {
  promotionId: string;
  digest: string;
  startedAt: number;
}

export interface EndedPromotion {
  promotionId: string;
  /** occurredAt of its (first) terminal event. */
  at: number;
}

export type { GraceEntry };

/** Plain JSON-serialisable form, for the per-key changelog of live mode. */
export interface DesiredStateSnapshot {
  desired: DesiredDigest | null;
  inFlight: InFlightPromotion[];
  grace: GraceEntry[];
  /** Absent in snapshots written before it existed (restored as none). */
  ended?: EndedPromotion[];
}

export interface DesiredStateOptions {
  convergenceGraceMs: number;
  inFlightMaxAgeMs?: number;
}

const terminalPhases = new Set<PromotionEvent['phase']>(['succeeded', 'failed', 'rolled_back']);

export class DesiredState {
  private desired: DesiredDigest | null = null;
  private readonly inFlight = new Map<string, InFlightPromotion>();
  private grace = new GraceEntries();
  /** Oldest first (in arrival order, which is event-time order but for late terminals). */
  private ended: EndedPromotion[] = [];
  private readonly graceMs: number;
  private readonly inFlightMaxAgeMs: number;

  constructor(options: DesiredStateOptions) {
    this.graceMs = options.convergenceGraceMs;
    this.inFlightMaxAgeMs = options.inFlightMaxAgeMs ?? DEFAULT_IN_FLIGHT_MAX_AGE_MS;
  }

  get current(): Readonly<DesiredDigest> | null {
    return this.desired;
  }

  /** A key without desired state is unmanaged: observed, never judged. */
  get managed(): boolean {
    return this.desired !== null;
  }

  /** Nothing worth keeping: no desired state, nothing in flight, no grace, no recently ended promotion. */
  get isEmpty(): boolean {
    return this.desired === null && this.inFlight.size === 0 && this.grace.size === 0 && this.ended.length === 0;
  }

  /**
   * Applies a promotion event that occurred at `occurredAt`; its effects
   * (grace periods) start at `effectiveAt` — the same time for in-order events,
   * the current frontier for late ones. A late `started` is ignored when its
   * promotion has already ended (it would otherwise stay acceptable for a
   * whole day) or when it is older than an in-flight promotion may be. An
   * in-order `started` always starts its promotion, even under an id that
   * ended before (a producer that retries a promotion under its id: the
   * retry is running). Desired state only moves forward: an event older than the
   * current `since` (strictly older, or not newer when late) does not replace it.
   * Returns whether anything that acceptability depends on changed.
   */
  apply(event: PromotionEvent, occurredAt: number, effectiveAt: number = occurredAt, late = false): boolean {
    if (event.phase === 'started') {
      if (event.digest == null) return false;
      if (late && (this.hasEnded(event.promotionId) || this.inFlight.has(event.promotionId) || occurredAt + this.inFlightMaxAgeMs <= effectiveAt)) return false;
      this.inFlight.set(event.promotionId, { promotionId: event.promotionId, digest: event.digest, startedAt: occurredAt });
      this.boundInFlight();
      return true;
    }
    if (!terminalPhases.has(event.phase)) return false; // gate, snapshot
    this.rememberEnded(event.promotionId, occurredAt);

    const flight = this.inFlight.get(event.promotionId);
    let changed = this.inFlight.delete(event.promotionId);

    const next = this.desiredFrom(event, occurredAt);
    const newer = this.desired === null || (late ? occurredAt > this.desired.since : occurredAt >= this.desired.since);
    if (next && newer) {
      const previous = this.desired;
      if (previous === null) this.addGrace(null, effectiveAt, 'initial');
      else if (previous.digest !== next.digest) this.addGrace(previous.digest, effectiveAt, 'superseded');
      this.desired = next;
      changed = true;
    }

    // The promotion's own digest (what was in flight, else what the event names)
    // stays acceptable for the grace period once it ends without becoming desired.
    const ownDigest = flight?.digest ?? (event.phase === 'failed' ? event.digest : undefined);
    if (ownDigest != null && ownDigest !== this.desired?.digest && (event.phase === 'failed' || event.phase === 'rolled_back')) {
      this.addGrace(ownDigest, effectiveAt, event.phase);
      changed = true;
    }
    return changed;
  }

  isAcceptable(digest: string, t: number): boolean {
    if (this.desired?.digest === digest) return true;
    // Called for every observation: plain loops, and no iterator when nothing is in flight.
    if (this.inFlight.size > 0) {
      for (const f of this.inFlight.values()) {
        if (f.digest === digest && t < f.startedAt + this.inFlightMaxAgeMs) return true;
      }
    }
    return this.grace.accepts(digest, t); // by digest: a key may hold thousands (grace-entries.ts)
  }

  /** Earliest time after `t` at which acceptability may change (a grace end or an in-flight expiry), if any. */
  nextBoundaryAfter(t: number): number | undefined {
    let next = this.grace.nextEndAfter(t) ?? Number.POSITIVE_INFINITY;
    for (const f of this.inFlight.values()) {
      const end = f.startedAt + this.inFlightMaxAgeMs;
      if (end > t && end < next) next = end;
    }
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }

  /**
   * Drops grace entries and in-flight promotions that can no longer make
   * anything acceptable at or after `t`, and ended promotions whose `started`
   * could no longer be taken for a running one (it would be older than an
   * in-flight promotion may be).
   */
  prune(t: number): void {
    // Runs on every evaluation: look at grace entries only once one has ended, copy a list only when something in it ended.
    this.grace.prune(t);
    if (this.inFlight.size > 0) for (const [id, f] of this.inFlight) if (f.startedAt + this.inFlightMaxAgeMs <= t) this.inFlight.delete(id);
    if (this.ended.length > 0 && this.ended[0]!.at + this.inFlightMaxAgeMs <= t) this.ended = this.ended.filter((e) => e.at + this.inFlightMaxAgeMs > t);
  }

  snapshot(): DesiredStateSnapshot {
    return {
      desired: this.desired && { ...this.desired },
      inFlight: [...this.inFlight.values()].map((f) => ({ ...f })),
      grace: this.grace.snapshot(),
      ended: this.ended.map((e) => ({ ...e })),
    };
  }

  static restore(options: DesiredStateOptions, snapshot: DesiredStateSnapshot): DesiredState {
    const state = new DesiredState(options);
    state.desired = snapshot.desired && { ...snapshot.desired };
    for (const f of snapshot.inFlight) state.inFlight.set(f.promotionId, { ...f });
    state.boundInFlight(); // a state from before the bound may hold more
    state.grace = GraceEntries.restore(snapshot.grace);
    state.ended = (snapshot.ended ?? []).map((e) => ({ ...e }));
    return state;
  }

  /**
   * Forgets the first-arrived in-flight promotions past MAX_PROMOTIONS_PER_KEY
   * (Map order: arrival, which is start order but for late starts). The same
   * on a live start and on restore (a snapshot lists them in that order,
   * restore puts them back in it), so a restarted run forgets the one an
   * uninterrupted run does: promotion-bound-restart.test.ts. Past the bound
   * only; O(1) per start.
   */
  private boundInFlight(): void {
    if (this.inFlight.size <= MAX_PROMOTIONS_PER_KEY) return; // the common case, without making an iterator
    for (const id of this.inFlight.keys()) {
      if (this.inFlight.size <= MAX_PROMOTIONS_PER_KEY) return;
      this.inFlight.delete(id);
    }
  }

  private hasEnded(promotionId: string): boolean {
    const ended = this.ended;
    for (let i = 0; i < ended.length; i++) if (ended[i]!.promotionId === promotionId) return true;
    return false;
  }

  /** The first terminal event of a promotion counts (a rolled_back after its succeeded changes nothing here). */
  private rememberEnded(promotionId: string, at: number): void {
    if (this.hasEnded(promotionId)) return;
    if (this.ended.length >= MAX_ENDED_PER_KEY) this.ended.shift();
    this.ended.push({ promotionId, at });
  }

  private desiredFrom(event: PromotionEvent, occurredAt: number): DesiredDigest | null {
    if (event.phase === 'succeeded' && event.version != null && event.digest != null) {
      return withWho({ version: event.version, digest: event.digest, since: occurredAt, from: 'promotion', promotionId: event.promotionId }, event);
    }
    if (event.phase === 'rolled_back' && event.rollbackTo) {
      const { version, digest } = event.rollbackTo;
      return withWho({ version, digest, since: occurredAt, from: 'rollback', promotionId: event.promotionId }, event);
    }
    return null;
  }

  /** One entry per digest, keeping the later end, so entries stay few. */
  private addGrace(digest: string | null, from: number, cause: GraceEntry['cause']): void {
    this.grace.add(digest, from + this.graceMs, cause);
  }
}

/** The event's actor and correlation id on its desired digest, left out when absent (one shape per case in snapshots). */
function withWho(desired: DesiredDigest, event: PromotionEvent): DesiredDigest {
  if (event.actor != null) desired.actor = event.actor;
  if (event.correlationId != null) desired.correlationId = event.correlationId;
  return desired;
}
