/**
 * The lifecycle of one incident slot (one state-drift key, one determinism
 * rule) as an explicit state machine:
 *
 *   idle --open--> open --update--> open --resolve--> idle
 *
 * `resolve` returns the slot to idle: a key that drifts again later gets a new
 * incident with a new id. Illegal transitions throw — they are bugs in the
 * caller, never input errors. Every method returns a copy of the incident, so
 * facts already emitted never change under the consumer's feet.
 *
 * A processor's slots share one OpenIncidentTally, moved by every change of
 * phase (open, resolve, restore) and by `release` when the processor forgets
 * a slot: live mode sets its incidents-open gauge on every tick, and counting
 * open slots there by a scan costs O(keys) each time.
 */
import { DriftwatchError } from '../../lib/errors.js';
import type { Fact, Incident } from '../facts.js';
import type { Severity } from '../../schemas/alert-event.js';
import { higherSeverity } from './drift-severity.js';

export type IncidentPhase = 'idle' | 'open';
type Transition = 'open' | 'update' | 'resolve';

const transitions: Record<Transition, { from: IncidentPhase; to: IncidentPhase }> = {
  open: { from: 'idle', to: 'open' },
  update: { from: 'open', to: 'open' },
  resolve: { from: 'open', to: 'idle' },
};

/** Most divergent digests an incident names (its alert text lists 10 of them; the rest are counted). */
export const MAX_LISTED_DIGESTS = 64;

/** Fields an open incident may change while it stays open. */
export interface IncidentPatch {
  /** Merged into the incident's digests (they only grow); past MAX_LISTED_DIGESTS each one not named is counted as omitted. */
  divergentDigests?: string[];
  expectedDigest?: string;
  desiredFrom?: Incident['desiredFrom'];
  /** Raises the incident's severity to it when higher; a lower one changes nothing (an incident keeps the highest it reached). */
  severity?: Severity;
  /** Replaces the incident's context; a change of context alone is no change (see Incident.divergentSources). */
  context?: IncidentContext;
}

/** The fields of an incident that only describe it (alert text), refreshed with its changes. */
export type IncidentContext = Pick<Incident, 'divergentSources' | 'divergentSourceCount' | 'sourceCount' | 'desiredPromotionId' | 'desiredActor' | 'desiredCorrelationId'>;

/** How many incident slots of one processor are open (see the module comment). */
export class OpenIncidentTally {
  private n = 0;

  get value(): number {
    return this.n;
  }

  /** Called by the slots only. */
  add(delta: number): void {
    this.n += delta;
  }
}

export class IncidentLifecycle {
  private incident: Incident | null = null;

  /** `tally`: the processor's count of open slots, kept by this slot until it is released. */
  constructor(private tally?: OpenIncidentTally) {}

  get phase(): IncidentPhase {
    return this.incident === null ? 'idle' : 'open';
  }

  get current(): Readonly<Incident> | null {
    return this.incident;
  }

  /** Opens an incident; `detectedAt` is `startedAt` (the engine emits it at the moment it starts). */
  open(init: Omit<Incident, 'detectedAt' | 'resolvedAt' | 'reason' | 'recoveryMs'>): Incident {
    this.guard('open');
    this.tally?.add(1);
    this.incident = withinBound(dropUndefined({ ...init, divergentDigests: sortedUnique(init.divergentDigests), detectedAt: init.startedAt, resolvedAt: null }));
    return copy(this.incident);
  }

  /** Applies a patch; returns the updated incident, or null when nothing changed. */
  update(patch: IncidentPatch): Incident | null {
    this.guard('update');
    const inc = this.incident!;
    let changed = false;
    if (patch.divergentDigests && addDigests(inc, patch.divergentDigests)) changed = true;
    if (patch.expectedDigest !== undefined && patch.expectedDigest !== inc.expectedDigest) {
      inc.expectedDigest = patch.expectedDigest;
      changed = true;
    }
    if (patch.desiredFrom !== undefined && patch.desiredFrom !== inc.desiredFrom) {
      inc.desiredFrom = patch.desiredFrom;
      changed = true;
    }
    if (patch.severity !== undefined && higherSeverity(inc.severity, patch.severity) !== inc.severity) {
      inc.severity = patch.severity;
      changed = true;
    }
    if (!changed) return null;
    if (patch.context) Object.assign(inc, dropUndefined({ desiredPromotionId: undefined, desiredActor: undefined, desiredCorrelationId: undefined, ...patch.context }));
    return copy(inc);
  }

  resolve(at: number, reason: string): Incident {
    this.guard('resolve');
    const inc = this.incident!;
    this.incident = null;
    this.tally?.add(-1);
    return copy({ ...inc, resolvedAt: at, reason, recoveryMs: at - inc.startedAt });
  }

  /**
   * Of `digests`, those the open incident does not name (counted as omitted
   * when they were given to it), or undefined when it names every digest it
   * was given — the common case, answered without a look.
   */
  unlisted(digests: readonly string[]): string[] | undefined {
    const inc = this.incident;
    if (inc?.divergentDigestsOmitted === undefined) return undefined;
    const named = new Set(inc.divergentDigests);
    const rest = digests.filter((d) => !named.has(d));
    return rest.length === 0 ? undefined : rest;
  }

  /**
   * Restores an open incident from a snapshot (null = idle). One the previous
   * release wrote past MAX_LISTED_DIGESTS (it had no bound) keeps the smallest
   * (the order it was written in: which came first is not recorded) and counts
   * the others as omitted.
   */
  restore(incident: Incident | null): void {
    const wasOpen = this.incident !== null;
    this.incident = incident && withinBound(copy(incident));
    this.tally?.add(Number(this.incident !== null) - Number(wasOpen));
  }

  /**
   * The processor forgets this slot (its key was dropped or replaced): an
   * open incident no longer counts in the tally, and nothing this slot does
   * afterwards does.
   */
  release(): void {
    if (this.incident !== null) this.tally?.add(-1);
    this.tally = undefined;
  }

  private guard(t: Transition): void {
    if (this.phase !== transitions[t].from) {
      throw new DriftwatchError(`incident lifecycle: cannot ${t} while ${this.phase}${this.incident ? ` (${this.incident.incidentId})` : ''}`);
    }
  }
}

export function incidentFact(change: 'opened' | 'updated' | 'resolved', incident: Incident, at: number): Fact {
  return { kind: 'incident', at, change, incident };
}

/** Adds the digests the incident does not name yet, up to the bound, counting the others; whether anything changed. */
function addDigests(inc: Incident, digests: readonly string[]): boolean {
  let added: string[] | undefined;
  let omitted = 0;
  for (const d of digests) {
    if (inc.divergentDigests.includes(d) || added?.includes(d)) continue;
    if (inc.divergentDigests.length + (added?.length ?? 0) < MAX_LISTED_DIGESTS) (added ??= []).push(d);
    else omitted++;
  }
  if (added !== undefined) inc.divergentDigests = sortedUnique([...inc.divergentDigests, ...added]);
  if (omitted > 0) inc.divergentDigestsOmitted = (inc.divergentDigestsOmitted ?? 0) + omitted;
  return added !== undefined || omitted > 0;
}

/** The incident with at most MAX_LISTED_DIGESTS named (its digests sorted: the smallest kept), the rest counted. */
function withinBound(inc: Incident): Incident {
  const extra = inc.divergentDigests.length - MAX_LISTED_DIGESTS;
  if (extra > 0) {
    inc.divergentDigests = inc.divergentDigests.slice(0, MAX_LISTED_DIGESTS);
    inc.divergentDigestsOmitted = (inc.divergentDigestsOmitted ?? 0) + extra;
  }
  return inc;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function copy(inc: Incident): Incident {
  return { ...inc, divergentDigests: [...inc.divergentDigests] };
}

/** Optional fields are left out rather than set to undefined, so incidents compare and serialise cleanly. */
function dropUndefined<T extends object>(value: T): T {
  for (const k of Object.keys(value) as Array<keyof T>) if (value[k] === undefined) delete value[k];
  return value;
}
