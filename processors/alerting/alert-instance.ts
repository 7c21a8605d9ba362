/**
 * The lifecycle of one alert instance (one rule + one set of identifying
 * labels), as an explicit state machine:
 *
 *   inactive --fire--> firing(level, severity) --resolve--> resolved
 *                        |  ^
 *                        +--+ update / escalate (re-emits only when the
 *                                severity or the escalation level changed)
 *
 * Every method is guarded by the transition table: a second `fire`, or a
 * `resolve` of an alert that never fired, is a programming error and throws,
 * which is how "one firing, exactly one resolved" is enforced rather than
 * hoped for. Escalation follows the age of the alert in event time: the level
 * is the highest one whose `afterMs` ≤ at − startsAt, so an alert that is
 * first fired when already old starts directly at the right level.
 */
import { AlertTransitionError } from '../../lib/errors.js';
import { stableId } from '../../lib/ids.js';
import { formatTimestamp } from '../../lib/time.js';
import type { AlertEvent, Severity } from '../../schemas/alert-event.js';
import type { AlertsConfig, EscalationLevel, RuleName } from '../../config/alert-rules.js';
import type { AlertEmission } from './alert-id.js';
import { routingAnnotations } from './routing-annotations.js';

export type Labels = Record<string, string>;
export type AlertPhase = 'inactive' | 'firing' | 'resolved';
type Transition = 'fire' | 'update' | 'resolve';

/** Allowed transitions; anything else throws AlertTransitionError. */
export const alertTransitions: Readonly<Record<AlertPhase, Partial<Record<Transition, AlertPhase>>>> = {
  inactive: { fire: 'firing' },
  firing: { update: 'firing', resolve: 'resolved' },
  resolved: {},
};

export { AlertTransitionError };

/** What a rule says about the alert; everything but `startsAt` may change while it fires. */
export interface AlertDetails {
  severity: Severity;
  annotations: AlertEvent['annotations'];
  /** Event time the condition began (ms). Fixed by `fire`. */
  startsAt: number;
  incidentId?: string;
  correlationId?: string;
}

/** The summary and description of a resolution that says what ended (AlertInstance.resolve). */
export type ResolutionText = Pick<AlertEvent['annotations'], 'summary' | 'description'>;

export interface AlertInstanceDeps {
  escalation: readonly EscalationLevel[];
  /** Channels and response target per severity, carried in each event's annotations (none when unset). */
  routing?: AlertsConfig['routing'];
  /** Wall clock for `emittedAt` only (ms). */
  now: () => number;
  /** Id of each emission (default `alertId`: derived from the emission, the same when it is decided again). */
  newAlertId: (emission: AlertEmission) => string;
}

/** Stable per instance: the rule plus its identifying labels, in sorted order. */
export function alertFingerprint(rule: RuleName, labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
  // The book asks for the fingerprint on every raise, clear and isFiring (rate
  // rules do so per key per window): remember recent ones rather than hash
  // (sha1) each time. The memo key is what the hash covers, NUL-separated as
  // stableId separates its parts, so equal keys mean equal fingerprints.
  const memoKey = `${rule}\u0000${parts.join('\u0000')}`;
  let fp = fingerprints.get(memoKey);
  if (fp === undefined) {
    if (fingerprints.size >= 10_000) fingerprints.clear(); // bounded
    fp = stableId('fp', rule, ...parts);
    fingerprints.set(memoKey, fp);
  }
  return fp;
}

const fingerprints = new Map<string, string>();

/** Plain JSON form of a firing instance (live-mode changelog); resolved instances are forgotten, never stored. */
export interface AlertInstanceSnapshot {
  rule: RuleName;
  labels: Labels;
  level: number;
  details: AlertDetails;
  /** AlertEmission.instantOrdinal; absent when 0. */
  instantOrdinal?: number;
}

export class AlertInstance {
  readonly fingerprint: string;
  private phase: AlertPhase = 'inactive';
  private level = 1;
  private details: AlertDetails | undefined;

  constructor(
    readonly rule: RuleName,
    readonly labels: Labels,
    private readonly deps: AlertInstanceDeps,
    /** AlertEmission.instantOrdinal of this instance's emissions. */
    private readonly instantOrdinal = 0,
  ) {
    this.fingerprint = alertFingerprint(rule, labels);
  }

  get state(): AlertPhase {
    return this.phase;
  }

  get escalationLevel(): number {
    return this.level;
  }

  /** inactive → firing, at the level the alert's age at `at` calls for. */
  fire(at: number, details: AlertDetails): AlertEvent {
    this.transition('fire');
    this.details = { ...details, startsAt: Math.min(details.startsAt, at) };
    this.level = this.levelAt(at);
    return this.event(at, 'firing');
  }

  /**
   * firing → firing: takes the new details (annotations and ids are refreshed
   * silently) and re-evaluates the level at `at`. Returns an event only when
   * the severity or the escalation level changed.
   */
  update(at: number, changes: Partial<Omit<AlertDetails, 'startsAt'>> = {}): AlertEvent | undefined {
    this.transition('update');
    const current = this.details!;
    const level = Math.max(this.level, this.levelAt(at));
    const changed = (changes.severity !== undefined && changes.severity !== current.severity) || level !== this.level;
    this.details = { ...current, ...definedOnly(changes), startsAt: current.startsAt };
    this.level = level;
    return changed ? this.event(at, 'firing') : undefined;
  }

  snapshot(): AlertInstanceSnapshot {
    if (this.phase !== 'firing') throw new AlertTransitionError(`alert ${this.rule} ${this.fingerprint}: only a firing alert has state to keep (${this.phase})`);
    const d = this.details!;
    const snapshot: AlertInstanceSnapshot = { rule: this.rule, labels: { ...this.labels }, level: this.level, details: { ...d, annotations: { ...d.annotations } } };
    if (this.instantOrdinal !== 0) snapshot.instantOrdinal = this.instantOrdinal;
    return snapshot;
  }

  /** A firing instance as it was snapshotted: no event is emitted, it goes on where it left off. */
  static restore(state: AlertInstanceSnapshot, deps: AlertInstanceDeps): AlertInstance {
    const instance = new AlertInstance(state.rule, { ...state.labels }, deps, state.instantOrdinal ?? 0);
    instance.phase = 'firing';
    instance.level = state.level;
    instance.details = { ...state.details, annotations: { ...state.details.annotations } };
    return instance;
  }

  /**
   * firing → resolved: the one `resolved` event, with `endsAt`. `text`, when
   * given, replaces its summary and description: what the rule measured when
   * its condition ended (else they are the last firing emission's, which
   * describe the breach). `note`, when given, is appended to its description:
   * why it resolved when that is not its condition ending (the schema has no
   * field for a reason).
   */
  resolve(at: number, endsAt: number = at, note?: string, text?: ResolutionText): AlertEvent {
    this.transition('resolve');
    if (text !== undefined || note !== undefined) {
      const d = this.details!;
      const annotations = text === undefined ? { ...d.annotations } : { ...d.annotations, ...text };
      if (note !== undefined) annotations.description = `${annotations.description} ${note}`;
      this.details = { ...d, annotations };
    }
    return this.event(at, 'resolved', Math.max(endsAt, this.details!.startsAt));
  }

  /** Event time of the next escalation step, while firing and below the top level. */
  nextEscalationAt(): number | undefined {
    if (this.phase !== 'firing') return undefined;
    const next = this.deps.escalation.find((l) => l.level > this.level);
    return next === undefined ? undefined : this.details!.startsAt + next.afterMs;
  }

  private levelAt(at: number): number {
    const age = at - this.details!.startsAt;
    let level = 1;
    for (const l of this.deps.escalation) if (l.afterMs <= age) level = Math.max(level, l.level);
    return level;
  }

  private transition(t: Transition): void {
    const to = alertTransitions[this.phase][t];
    if (to === undefined) {
      throw new AlertTransitionError(`alert ${this.rule} ${this.fingerprint}: cannot ${t} while ${this.phase}`);
    }
    this.phase = to;
  }

  /** The event of a transition decided at `at` (event time). */
  private event(at: number, status: AlertEvent['status'], endsAt?: number): AlertEvent {
    const d = this.details!;
    const { fingerprint, level: escalationLevel, instantOrdinal } = this;
    const event: AlertEvent = {
      alertId: this.deps.newAlertId({ fingerprint, startsAt: d.startsAt, at, status, severity: d.severity, escalationLevel, instantOrdinal }),
      fingerprint: this.fingerprint,
      rule: this.rule,
      status,
      severity: d.severity,
      escalationLevel: this.level,
      labels: { ...this.labels },
      annotations: { ...d.annotations, ...routingAnnotations(this.deps, d.severity, this.level) },
      startsAt: formatTimestamp(d.startsAt),
      emittedAt: formatTimestamp(this.deps.now()),
    };
    if (endsAt !== undefined) event.endsAt = formatTimestamp(endsAt);
    if (d.incidentId !== undefined) event.incidentId = d.incidentId;
    if (d.correlationId !== undefined) event.correlationId = d.correlationId;
    return event;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
