/**
 * Everything the state-drift processor knows about one key `(env, artifact)`:
 * desired state, each source's latest observation, and the open incident.
 * `evaluate(t, trigger)` re-judges the key at event time t and returns the
 * incident changes; the processor owns timers and emitting.
 */
import type { InstantJudgement } from './instant-judgements.js';
import { stableId } from '../../lib/ids.js';
import { DesiredState, type DesiredStateOptions, type DesiredStateSnapshot } from '../desired-state.js';
import type { Incident } from '../facts.js';
import { IncidentLifecycle, MAX_LISTED_DIGESTS, sortedUnique, type OpenIncidentTally } from './incident-lifecycle.js';
import { incidentContext } from './incident-context.js';
import type { DriftSeverity } from './drift-severity.js';
import type { DirtyHolder } from '../stateful.js';
import { SourceBound } from './source-bound.js';
import { SourceIdCache } from './source-id-cache.js';

/** No bound on a key's sources (the processor passes DRIFTWATCH_MAX_SOURCES_PER_KEY's). */
const UNBOUNDED = new SourceBound(Number.MAX_SAFE_INTEGER);

export interface SourceObservation {
  digest: string;
  /** occurredAt of the latest observation (epoch ms). */
  at: number;
  correlationId?: string;
}

/** Plain JSON-serialisable per-key state (live mode persists it to a compacted changelog). */
export interface StateDriftKeySnapshot {
  env: string;
  artifact: string;
  desired: DesiredStateSnapshot;
  sources: Array<{ sourceId: string } & SourceObservation>;
  /** The open incident, if any. */
  incident: Incident | null;
  /** See KeyState.starts; absent when no incident started at the latest instant judged (and in older snapshots). */
  starts?: { at: number; count: number };
  /** See KeyState.omittedNow; absent when none (and in older snapshots). */
  omittedDigests?: string[];
  /**
   * Events of the instant `at` came in and more of that instant follow: the key is judged at `at`, with `trigger`,
   * once they are in (StateDriftProcessor.judge). Absent almost always (and in older snapshots).
   */
  judgeAt?: InstantJudgement;
}

/**
 * What caused a re-evaluation; it names the resolution reason when the key
 * stops being drifted: an observation can only end drift by reporting an
 * acceptable digest (`converged`), a promotion event by making a digest
 * acceptable (`promoted`), and a timer only by forgetting silent sources
 * (grace ends and in-flight expiries only take acceptability away). When
 * several divergent sources stop being divergent for different reasons, the
 * reason is the one that ended the drift.
 */
export type Trigger =
  | { type: 'observation'; sourceId: string; correlationId?: string }
  | { type: 'promotion' }
  | { type: 'timer' };

const reasonOf: Record<Trigger['type'], string> = { observation: 'converged', promotion: 'promoted', timer: 'source_expired' };

export interface IncidentChange {
  change: 'opened' | 'updated' | 'resolved';
  incident: Incident;
}

/** Shared empty result (the common case): callers only iterate it. */
const noChanges: IncidentChange[] = [];

export class KeyState implements DirtyHolder {
  /** See DirtyKeys.markVia (not state). */
  dirtyEpoch?: number;
  readonly sources = new Map<string, SourceObservation>();
  readonly lifecycle: IncidentLifecycle;
  /**
   * The ids of the key's sources by type and instance: a cache (not state), so
   * every observation of a source carries the same id string. Maps and sets
   * keyed by it (here and in the drift windows) then find it by identity
   * instead of hashing a freshly built string per observation. A key has a
   * handful of sources, so a scan comparing instance names beats hashing the
   * fresh instance string of each event.
   */
  private readonly sourceIds = { hydration: new SourceIdCache('hydration'), index: new SourceIdCache('index') };
  /**
   * How many incidents of the key started at the instant `at`, while event
   * time is still at it. An incident's id derives from its key and start, so
   * one that ends at the very instant it began (a source flipping digests
   * within one millisecond) would share its id with the next one starting
   * then; the second and later get the count in their id instead. Cleared
   * once event time moves past the instant, so it is rarely in a snapshot.
   */
  private starts: { at: number; count: number } | undefined;
  /**
   * When the key must be judged again for its sources' sake, as of its latest
   * evaluation (not state): the expiry of its last divergent source — the
   * only expiry that can change what it emits (a `source_expired`
   * resolution) — or, with none divergent, of its last source (it is
   * forgotten then). The other sources are forgotten at the key's next
   * evaluation after their expiry, for whatever reason, or on `record` at the
   * bound: one evaluation per key per batch of expiries instead of one per
   * source, each of which looked at every source (O(n²) for a key whose n
   * sources fall silent one after another). Undefined before the first
   * evaluation (a restored key): the earliest expiry then, as before.
   */
  private expiryBound: number | undefined;
  /** A lower bound on the earliest expiry of the key's sources (see `record`, at the bound). */
  private earliestExpiry = Number.POSITIVE_INFINITY;
  /**
   * The divergent digests at the latest evaluation that the open incident
   * does not name (past its MAX_LISTED_DIGESTS): already counted as omitted,
   * so a digest is counted once while it stays divergent, however many
   * sources serve it and evaluations see it, and again only once it has
   * come back. Bounded by the key's sources; undefined in the common case.
   */
  private omittedNow: Set<string> | undefined;
  /** Event time of the latest evaluation (not state: undefined on a restored key until its first). See `repeatsDrift`. */
  private judgedAt: number | undefined;

  constructor(
    readonly env: string,
    readonly artifact: string,
    readonly desired: DesiredState,
    private readonly sourceTtlMs: number,
    /** The processor's count of open incidents (see IncidentLifecycle). */
    openTally?: OpenIncidentTally,
    /** How many sources the key keeps at once (source-bound.ts). */
    private readonly sourceBound: SourceBound = UNBOUNDED,
  ) {
    this.lifecycle = new IncidentLifecycle(openTally);
  }

  /** Nothing worth keeping: the key may be forgotten. */
  get isEmpty(): boolean {
    return this.desired.isEmpty && this.sources.size === 0 && this.lifecycle.phase === 'idle';
  }

  /** `<type>:<instance>`, the same string for every observation of the source. */
  sourceIdOf(type: 'hydration' | 'index', instance: string): string {
    return type === 'hydration' ? this.sourceIds.hydration.idOf(instance) : this.sourceIds.index.idOf(instance);
  }

  /**
   * Records a source's latest observation (`previous`: its current entry, if
   * any). An existing entry is updated in place and keeps its strings when
   * they did not change: no new object per observation, and nothing new for
   * the garbage collector to promote; the entry is replaced only when its
   * correlationId appears or goes (the rare case, so entries keep one shape).
   * A new source at the key's bound is kept as source-bound.ts says, judged
   * at `now` (the frontier: a late observation's `at` is its own time).
   */
  record(sourceId: string, previous: SourceObservation | undefined, digest: string, at: number, correlationId: string | undefined, now = at): void {
    if (previous !== undefined && now - previous.at > this.sourceTtlMs) {
      // Expired, not yet forgotten (expiryBound): a new source, at the end of the map, as if it had been.
      this.sources.delete(sourceId);
      previous = undefined;
    }
    if (previous === undefined && this.sources.size >= this.sourceBound.max) {
      // The bound counts live sources only: forget the expired ones first (a scan only once one may have expired).
      if (now >= this.earliestExpiry) this.forgetExpired(now);
      if (this.sources.size >= this.sourceBound.max && !this.sourceBound.admit(this.sources, this.isDivergent(digest, now), (d) => this.isDivergent(d, now))) return;
    }
    if (at + this.sourceTtlMs + 1 < this.earliestExpiry) this.earliestExpiry = at + this.sourceTtlMs + 1;
    if (previous === undefined || (previous.correlationId === undefined) !== (correlationId === undefined)) {
      this.sources.set(sourceId, correlationId === undefined ? { digest, at } : { digest, at, correlationId });
      return;
    }
    if (previous.digest !== digest) previous.digest = digest;
    previous.at = at;
    if (correlationId !== undefined && previous.correlationId !== correlationId) previous.correlationId = correlationId;
  }

  /** Whether `digest` is divergent at t (false on unmanaged keys: they are never judged). */
  isDivergent(digest: string, t: number): boolean {
    return this.desired.managed && !this.desired.isAcceptable(digest, t);
  }

  /**
   * Whether a divergent observation of `digest` at `now`, from a source whose entry is `previous`, leaves the open
   * incident as the latest evaluation left it, so that evaluating the key for it would change nothing. A drifted
   * replica repeats its digest on every report, and each report re-judged every source of its key (sorting,
   * copying, an incident context) only to find the same divergent digests; the incident changes only on a new
   * divergent digest or a new desired state (IncidentLifecycle.update).
   *
   * Why nothing moved: acceptability changes only at promotions, which evaluate the key when they change it
   * (DesiredState.apply), and at the desired state's boundaries, which fire as timers strictly before `now`: only
   * one exactly at `now` is left to rule out. Without it, `digest` was divergent at the latest evaluation too and
   * all along since (a digest becomes acceptable only by a promotion; a quiet observation, never evaluated, records
   * only an acceptable digest), so the source served it at that evaluation, and the key's divergent digests are
   * that evaluation's, or fewer once a divergent source expired: nothing new for the incident, the same desired
   * state. Fewer is why a key counting omitted digests (omittedNow) is always evaluated: which of them stay
   * divergent decides what is counted again. An entry past the TTL is a new source to `record`, so it is judged.
   * The boundaries the evaluation would have re-armed lie no earlier than the key's pending timer, which re-judges
   * the key when it fires, as after any evaluation.
   */
  repeatsDrift(previous: SourceObservation, digest: string, now: number): boolean {
    const judgedAt = this.judgedAt;
    if (judgedAt === undefined || this.lifecycle.phase !== 'open' || this.omittedNow !== undefined) return false;
    if (previous.digest !== digest || now - previous.at > this.sourceTtlMs) return false;
    return (this.desired.nextBoundaryAfter(judgedAt) ?? Number.POSITIVE_INFINITY) > now;
  }

  evaluate(t: number, trigger: Trigger, severityOf: DriftSeverity): IncidentChange[] {
    this.judgedAt = t;
    this.desired.prune(t);
    if (this.starts !== undefined && this.starts.at < t) this.starts = undefined;
    // One pass: forget expired sources, judge the others (pruning cannot change
    // what is acceptable at t: it only drops entries that ended at or before t).
    let divergent: Array<[string, SourceObservation]> | undefined;
    let lastExpiry = Number.NEGATIVE_INFINITY;
    let lastDivergentExpiry = Number.NEGATIVE_INFINITY;
    let earliestExpiry = Number.POSITIVE_INFINITY;
    for (const entry of this.sources) {
      const s = entry[1];
      if (t - s.at > this.sourceTtlMs) {
        this.sources.delete(entry[0]); // silent for longer than the TTL (SPEC §4.2), not exactly as long
        continue;
      }
      const expiry = s.at + this.sourceTtlMs + 1; // the first millisecond at which it has been silent for longer
      if (expiry > lastExpiry) lastExpiry = expiry;
      if (expiry < earliestExpiry) earliestExpiry = expiry;
      if (this.isDivergent(s.digest, t)) {
        (divergent ??= []).push(entry);
        if (expiry > lastDivergentExpiry) lastDivergentExpiry = expiry;
      }
    }
    this.earliestExpiry = earliestExpiry;
    this.expiryBound = divergent !== undefined ? lastDivergentExpiry : this.sources.size > 0 ? lastExpiry : undefined;
    if (divergent === undefined) {
      this.omittedNow = undefined;
      if (this.lifecycle.phase === 'idle') return noChanges;
      return [{ change: 'resolved', incident: this.lifecycle.resolve(t, reasonOf[trigger.type]) }];
    }
    divergent.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const digests = sortedUnique(divergent.map(([, s]) => s.digest));
    const desired = this.desired.current;

    if (this.lifecycle.phase === 'idle') {
      if (!desired) return noChanges;
      // Evidence: the observation that made the key drift, else the latest observation of the first divergent source.
      const evidence = trigger.type === 'observation' && divergent.some(([id]) => id === trigger.sourceId)
        ? trigger.correlationId
        : divergent[0]![1].correlationId;
      const labels = { env: this.env, artifact: this.artifact };
      const before = this.starts?.count ?? 0;
      this.starts = { at: t, count: before + 1 };
      const incident = this.lifecycle.open({
        incidentId: before === 0 ? stableId('inc', 'state', this.env, this.artifact, t) : stableId('inc', 'state', this.env, this.artifact, t, before),
        kind: 'state',
        env: this.env,
        artifact: this.artifact,
        severity: severityOf(labels, desired.from),
        startedAt: t,
        expectedDigest: desired.digest,
        divergentDigests: digests,
        correlationId: evidence,
        desiredFrom: desired.from,
        ...incidentContext(divergent, this.sources.size, desired),
      });
      this.rememberOmitted(digests);
      return [{ change: 'opened', incident }];
    }

    // Still drifted: report new divergent digests, or a new desired state that it is now judged against.
    const omitted = this.omittedNow;
    const fresh = omitted === undefined ? digests : digests.filter((d) => !omitted.has(d));
    // A desired state from a rollback may raise the severity (drift-severity.ts); the lifecycle never lowers it.
    const severity = desired?.from === 'rollback' ? severityOf({ env: this.env, artifact: this.artifact }, desired.from) : undefined;
    const updated = this.lifecycle.update({
      divergentDigests: fresh, expectedDigest: desired?.digest, desiredFrom: desired?.from, severity, context: incidentContext(divergent, this.sources.size, desired),
    });
    this.rememberOmitted(digests);
    return updated ? [{ change: 'updated', incident: updated }] : noChanges;
  }

  /** `digests`: the key's divergent digests now, every one given to its open incident (see omittedNow). */
  private rememberOmitted(digests: readonly string[]): void {
    const unlisted = this.lifecycle.unlisted(digests);
    this.omittedNow = unlisted && new Set(unlisted);
  }

  /**
   * Earliest time after t (the latest evaluation's) at which the judgement may change: a grace end, an in-flight
   * expiry, or the expiry of the last divergent source (expiryBound; before any evaluation, of the earliest source).
   */
  nextBoundaryAfter(t: number): number | undefined {
    let next = this.desired.nextBoundaryAfter(t) ?? Number.POSITIVE_INFINITY;
    const bound = this.expiryBound;
    if (bound !== undefined && bound > t) return Math.min(next, bound);
    for (const s of this.sources.values()) {
      // The first millisecond at which the source has been silent for longer than the TTL.
      const expiry = s.at + this.sourceTtlMs + 1;
      if (expiry > t && expiry < next) next = expiry;
    }
    return next === Number.POSITIVE_INFINITY ? undefined : next;
  }

  /** Forgets the sources silent for longer than the TTL at `now`, and sets earliestExpiry exactly. */
  private forgetExpired(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, s] of this.sources) {
      if (now - s.at > this.sourceTtlMs) this.sources.delete(id);
      else if (s.at + this.sourceTtlMs + 1 < earliest) earliest = s.at + this.sourceTtlMs + 1;
    }
    this.earliestExpiry = earliest;
  }

  snapshot(): StateDriftKeySnapshot {
    return {
      env: this.env,
      artifact: this.artifact,
      desired: this.desired.snapshot(),
      sources: [...this.sources].map(([sourceId, s]) => ({ sourceId, ...s })),
      incident: this.lifecycle.current && { ...this.lifecycle.current, divergentDigests: [...this.lifecycle.current.divergentDigests] },
      ...(this.starts === undefined ? {} : { starts: { ...this.starts } }),
      ...(this.omittedNow === undefined ? {} : { omittedDigests: [...this.omittedNow].sort() }),
    };
  }

  static restore(state: StateDriftKeySnapshot, options: DesiredStateOptions & { sourceTtlMs: number }, openTally?: OpenIncidentTally, sourceBound?: SourceBound): KeyState {
    const ks = new KeyState(state.env, state.artifact, DesiredState.restore(options, state.desired), options.sourceTtlMs, openTally, sourceBound);
    for (const { sourceId, ...s } of state.sources) ks.sources.set(sourceId, s);
    ks.lifecycle.restore(state.incident);
    ks.earliestExpiry = Number.NEGATIVE_INFINITY; // not known until a scan: `record` at the bound looks first
    if (state.starts !== undefined) ks.starts = { ...state.starts };
    // A record of the previous release past the bound (trimmed on restore) has no omittedDigests: the digests its
    // sources serve that the incident no longer names are taken as counted (one a source served acceptable then and
    // divergent since is not counted when it becomes so).
    const trimmed = (state.incident?.divergentDigests.length ?? 0) > MAX_LISTED_DIGESTS;
    const omitted = state.omittedDigests ?? (trimmed ? ks.lifecycle.unlisted(sortedUnique(state.sources.map((s) => s.digest))) : undefined);
    if (omitted !== undefined && omitted.length > 0) ks.omittedNow = new Set(omitted);
    return ks;
  }
}
