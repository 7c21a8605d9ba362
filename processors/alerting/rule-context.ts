/**
 * What a rule gets to work with. A rule only decides *whether* its condition
 * holds for some labels and describes it; the context adds what every rule
 * shares: severity from the classifier (re-evaluated on every raise, so a
 * change while firing re-emits), the configured summary/runbook templates,
 * and the instance lifecycle in the AlertBook.
 */
import type { RuleConfig, RuleName, SeverityClassifier } from '../../config/alert-rules.js';
import { visibleText } from '../../lib/visible-text.js';
import type { Fact, FactKind, Incident } from '../facts.js';
import type { InputEventType } from '../../schemas/input-events.js';
import type { AlertBook } from './alert-book.js';
import type { Labels } from './alert-instance.js';
import type { KeyedStateStore, WholeStateStore } from '../stateful.js';

export interface RaiseSpec {
  labels: Labels;
  /** Event time the condition began (ms); used when the instance first fires. */
  startsAt: number;
  summary: string;
  description: string;
  incidentId?: string;
  correlationId?: string;
}

export interface RuleContext {
  readonly rule: RuleName;
  readonly config: RuleConfig;
  /** The condition holds at `at` for these labels. */
  raise(at: number, spec: RaiseSpec): void;
  /**
   * The condition no longer holds (ended at `endsAt`, default `at`). No-op when not firing. `note`: appended to the
   * description of the resolved event, when the rule stops judging rather than the condition ending. `text`: the
   * resolved event's summary and description, what the rule measures as the condition ends (the summary as `raise`
   * takes it: a configured template wins); absent, they are the last firing emission's.
   */
  clear(at: number, labels: Labels, endsAt?: number, note?: string, text?: { summary: string; description: string }): void;
  isFiring(labels: Labels): boolean;
}

/** One alert rule: reads facts, calls `raise`/`clear` on its context. Facts arrive in nondecreasing `at`. */
export interface AlertRule {
  handle(fact: Fact): void;
  /**
   * The fact kinds `handle` reacts to; facts of other kinds are not passed to
   * it (every fact flows through alerting, most of them observations and
   * events no rule reads). Absent: every kind.
   */
  readonly kinds?: readonly FactKind[];
  /**
   * Of `event` and `late` facts, the input event types `handle` reacts to;
   * facts of other types are not passed to it (nearly every event is a
   * hydration or an index op, which the rule reading events for promotions
   * would only look at and return). Absent: every type.
   */
  readonly eventTypes?: readonly InputEventType[];
  /**
   * State the rule keeps beyond its firing instances (those live in the
   * AlertBook), for live-mode snapshots: per `<env>/<artifact>` key for rules
   * whose alerts identify a key, whole for per-env rules. Absent when the
   * rule keeps none. Every change of it goes with a raise or clear of the same
   * labels, so the processor's dirty tracking covers it.
   */
  readonly keyedState?: Omit<KeyedStateStore, 'drainDirtyKeys'>;
  /** `empty`: nothing kept (a state that only time could still change must not say so). */
  readonly wholeState?: WholeStateStore & { readonly empty: boolean };
  /**
   * Rules whose condition can change by the passage of event time alone (a
   * rolling window that samples leave) have a timer; see RuleTimer.
   */
  readonly timer?: RuleTimer;
  /**
   * Judges the incidents open for a key whose state was just restored (live
   * mode), at the first event time handled after the restore. The rules that
   * follow incidents fire for an open one they keep no alert for: their own
   * state was not kept while they were turned off, the incidents were.
   */
  openIncidents?(at: number, incidents: readonly Incident[]): void;
  /**
   * A firing instance of this rule was restored with a key's state, after the rule's own state of the key (live
   * mode): its labels, which a rule that resolves its alerts by time alone needs and its key state need not keep.
   */
  restoredFiring?(labels: Labels): void;
}

/**
 * A rule's own event-time timer. `due` is the earliest event time at which
 * the rule must judge again without a fact (Infinity: none), derived from the
 * rule's state so a restore re-derives it; the processor calls `fire` once it
 * is due, before the facts of later times. The processor reads `due` after
 * each call into the rule (`handle`, `fire`, a restore or drop of its state)
 * and not in between (RuleTimers): only those calls may move it.
 */
export interface RuleTimer {
  readonly due: number;
  fire(at: number): void;
}

export type RuleFactory = (ctx: RuleContext) => AlertRule;

export function createRuleContext(rule: RuleName, config: RuleConfig, classify: SeverityClassifier, book: AlertBook): RuleContext {
  /** Text for people quoting event fields: their control and bidi characters show as escapes (labels stay exact). */
  const textOf = (labels: Labels, text: { summary: string; description: string }) => ({
    summary: config.summary ? fillTemplate(config.summary, labels, visibleText) : visibleText(text.summary),
    description: visibleText(text.description),
  });
  return {
    rule,
    config,
    raise(at, spec) {
      const annotations: { summary: string; description: string; runbookUrl?: string } = textOf(spec.labels, spec);
      // Percent-encoded: a label is an event field, and raw it could add parameters, a fragment or path segments to the link.
      if (config.runbookUrl) annotations.runbookUrl = fillTemplate(config.runbookUrl, spec.labels, encodeURIComponent);
      book.raise(at, rule, spec.labels, {
        severity: classify(rule, spec.labels),
        annotations,
        startsAt: spec.startsAt,
        incidentId: spec.incidentId,
        correlationId: spec.correlationId,
      });
    },
    clear(at, labels, endsAt, note, text) {
      book.clear(at, rule, labels, endsAt, note, text === undefined ? undefined : textOf(labels, text));
    },
    isFiring(labels) {
      return book.isFiring(rule, labels);
    },
  };
}

/**
 * Replaces `{label}` with the label's value passed through `encode`; unknown placeholders are left as written.
 * One pass: a placeholder inside a value stays text.
 */
export function fillTemplate(template: string, labels: Labels, encode: (value: string) => string = (v) => v): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(labels, name) ? encode(labels[name]!) : whole));
}
