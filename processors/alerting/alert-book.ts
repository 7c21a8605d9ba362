/**
 * The live alert instances of the alerting processor, keyed by fingerprint,
 * and their escalation timers. Rules say "this condition holds" (`raise`) or
 * "it no longer holds" (`clear`); the book turns that into the instance
 * transitions and queues the resulting events with the event time they were
 * decided at. The processor drains the queue after each fact.
 *
 * Each firing instance has at most one timer: its next escalation step
 * (startsAt + 5m, then 15m, then 30m by default). A timer fires, re-emits at
 * the new level and schedules the following step; after the top level there
 * is none, so the end-of-input advance (+Infinity) terminates. Resolving
 * cancels the timer and forgets the instance, so a later occurrence of the
 * same condition starts a new instance (same fingerprint, new startsAt).
 *
 * For live-mode snapshots the book reports every raise, clear and escalation
 * to `onChange` (the processor tracks which keys are dirty and which
 * instances belong to a key), and can snapshot, restore and drop instances;
 * a restored instance's next escalation timer is re-armed from its level.
 */
import type { RuleName } from '../../config/alert-rules.js';
import type { AlertEvent } from '../../schemas/alert-event.js';
import { TimerQueue } from '../timer-queue.js';
import { alertKey } from './alert-key.js';
import { InstantStarts } from './instant-starts.js';
import { AlertInstance, alertFingerprint, type AlertDetails, type AlertInstanceDeps, type AlertInstanceSnapshot, type Labels, type ResolutionText } from './alert-instance.js';

/** Called on every raise, clear (firing or not) and escalation; `firing` says whether the instance fires afterwards. */
export type AlertBookListener = (rule: RuleName, labels: Labels, fingerprint: string, firing: boolean) => void;

export interface DecidedAlert {
  /** Event time of the decision (the fact's `at`, or the escalation timer's time). */
  at: number;
  alert: AlertEvent;
  /** The instance's first firing (`fire`), not a re-emission on escalation or a severity change, nor a resolution. */
  firstFiring: boolean;
}

export class AlertBook {
  private readonly firing = new Map<string, AlertInstance>();
  private readonly timers = new TimerQueue();
  private pending: DecidedAlert[] = [];

  constructor(
    private readonly deps: AlertInstanceDeps,
    private readonly onChange: AlertBookListener = () => {},
    /** Instances begun at the latest instant, per fingerprint (their instantOrdinal; kept with the live-mode state). */
    readonly instantStarts = new InstantStarts(),
  ) {}

  /**
   * Fires the escalation timers due strictly before `at`, each at its own
   * time. Strictly: one due at `at` itself waits until whatever happens at
   * that instant is known — an alert whose condition ends then was firing
   * for [startsAt, at) and never reached the age (event times are whole ms).
   */
  /** Whether an escalation timer is due strictly before `at` (what `fireDueBefore(at)` would fire), or alerts wait to be drained. */
  busyBefore(at: number): boolean {
    return this.pending.length > 0 || this.timers.hasDue(at - 1);
  }

  fireDueBefore(at: number): void {
    if (this.timers.hasDue(at - 1)) this.fireDueTimers(at - 1);
  }

  /** A closure written in `fireDue` (called per fact) would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireDueTimers(at: number): void {
    this.timers.fireDue(at, (fingerprint, time) => {
      const instance = this.firing.get(fingerprint);
      if (!instance) return;
      this.push(time, instance.update(time));
      this.reschedule(instance);
      this.onChange(instance.rule, instance.labels, fingerprint, true);
    });
  }

  /** The condition holds at `at`: fire the instance, or refresh it (re-emitting on severity or level change). */
  raise(at: number, rule: RuleName, labels: Labels, details: AlertDetails): void {
    const fingerprint = alertFingerprint(rule, labels);
    const existing = this.firing.get(fingerprint);
    if (existing) {
      const { startsAt: _fixed, ...changes } = details;
      this.push(at, existing.update(at, changes));
      this.reschedule(existing);
      this.onChange(rule, labels, fingerprint, true);
      return;
    }
    const instance = new AlertInstance(rule, labels, this.deps, this.instantStarts.next(at, fingerprint, alertKey(rule, labels)));
    this.firing.set(fingerprint, instance);
    this.push(at, instance.fire(at, details), true);
    this.reschedule(instance);
    this.onChange(rule, labels, fingerprint, true);
  }

  /** The condition ended (at `endsAt`, default `at`): resolve the instance if it is firing; otherwise nothing. `note`, `text`: see AlertInstance.resolve. */
  clear(at: number, rule: RuleName, labels: Labels, endsAt?: number, note?: string, text?: ResolutionText): void {
    const fingerprint = alertFingerprint(rule, labels);
    this.onChange(rule, labels, fingerprint, false);
    const instance = this.firing.get(fingerprint);
    if (!instance) return;
    this.firing.delete(fingerprint);
    this.timers.cancel(fingerprint);
    this.push(at, instance.resolve(at, endsAt ?? at, note, text));
  }

  isFiring(rule: RuleName, labels: Labels): boolean {
    return this.firing.has(alertFingerprint(rule, labels));
  }

  /** Resolves the firing instance with this fingerprint (see `clear`); unknown fingerprints are ignored. */
  clearFingerprint(at: number, fingerprint: string, note?: string): void {
    const instance = this.firing.get(fingerprint);
    if (instance) this.clear(at, instance.rule, instance.labels, undefined, note);
  }

  isFiringFingerprint(fingerprint: string): boolean {
    return this.firing.has(fingerprint);
  }

  /** Number of firing instances (metrics, tests). */
  get size(): number {
    return this.firing.size;
  }

  /** Snapshots of the firing instances with these fingerprints (unknown ones are skipped), in fingerprint order. */
  snapshot(fingerprints: Iterable<string>): AlertInstanceSnapshot[] {
    const out: AlertInstanceSnapshot[] = [];
    for (const fp of [...fingerprints].sort()) {
      const instance = this.firing.get(fp);
      if (instance) out.push(instance.snapshot());
    }
    return out;
  }

  /** Puts a snapshotted firing instance back and re-arms its next escalation; returns its fingerprint. */
  restore(state: AlertInstanceSnapshot): string {
    const instance = AlertInstance.restore(state, this.deps);
    this.firing.set(instance.fingerprint, instance);
    this.reschedule(instance);
    return instance.fingerprint;
  }

  /** Forgets an instance without resolving it (its state moved to another engine instance). */
  drop(fingerprint: string): void {
    this.firing.delete(fingerprint);
    this.timers.cancel(fingerprint);
  }

  /** Whether events were decided since the last drain (checked per fact, so `drain` allocates only when needed). */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The events decided since the last drain, in decision order. */
  drain(): DecidedAlert[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private reschedule(instance: AlertInstance): void {
    const next = instance.nextEscalationAt();
    if (next === undefined) this.timers.cancel(instance.fingerprint);
    else this.timers.schedule(instance.fingerprint, next);
  }

  private push(at: number, alert: AlertEvent | undefined, firstFiring = false): void {
    if (alert) this.pending.push({ at, alert, firstFiring });
  }
}
