/**
 * Turns facts into alert events (SPEC §6). Each enabled rule of the alerts
 * config reads the facts it cares about and says when its condition holds;
 * the shared AlertBook runs the per-instance lifecycle (one firing, re-emits
 * on severity or escalation change, exactly one resolved) and escalation
 * timers in event time. Emits `alert` facts whose `at` is the event time of
 * the decision: the fact being handled, or the escalation timer's time.
 *
 * The wall clock is used for one thing only, `emittedAt`, through the
 * injectable `now`; alert ids are derived from the emission (alert-id.ts),
 * injectable so tests get short fixed ones.
 *
 * Live-mode state comes in two parts. Alerts whose labels identify an input
 * key (`keyedRules`: env + artifact) move with the key's partition
 * (KeyedStateStore): their firing instances, escalation timers included, and
 * what their rule remembers about the key. The per-env rules (rate rules,
 * mttr_breach) are whole state (WholeStateStore).
 *
 * A restored instance whose rule is not enabled here (turned off in
 * alerts.yaml since the snapshot, or a rule this version no longer has) is
 * resolved with the first fact handled after the restore: no judge of its
 * condition is left, and forgotten it would leave a consumer's page open
 * forever (Alertmanager resolves an alert whose rule is gone). In live mode
 * that fact is the advance to the restored frontier, so its `endsAt` is the
 * event time the restoring instance resumes at, and the emission goes out,
 * with the key's changelog record, in that instance's next transaction —
 * decided by the key's owner only, under an id derived from it like any other.
 *
 * The other way round, a rule turned back on since the snapshot: its own state
 * for the key was not kept while it was off. The incident rules' condition is
 * in state kept whatever the rules (the open incidents, `openIncidents`): the
 * incidents open when a key is restored are told to them with the first fact
 * after the restore, and they fire for one that should have their alert — at
 * the same time, in the same transaction, by the same owner as an orphan's
 * resolution. A key whose record has no alerting state is restored by
 * `dropKey` (restoreTopology), so a dropped key is looked at too: one revoked
 * has no open incidents left here (dropped from every processor in order).
 * What the other rules cannot tell from kept state: README, Alert rules.
 */
import type { AlertsConfig, RuleName, SeverityClassifier } from '../../config/alert-rules.js';
import { createSeverityClassifier } from '../../config/alerts-config.js';
import { ruleNames } from '../../config/alert-rules.js';
import type { Fact, FactKind, Incident } from '../facts.js';
import type { Emit, Processor } from '../processor.js';
import { DirtyKeys, type KeyedStateStore, type WholeStateStore } from '../stateful.js';
import { AlertBook } from './alert-book.js';
import { AlertInstanceParts } from './alert-instance-parts.js';
import { alertId, type AlertEmission } from './alert-id.js';
import type { AlertInstanceSnapshot, Labels } from './alert-instance.js';
import { InstantStarts, type InstantStartsSnapshot } from './instant-starts.js';
import { createRuleContext, type AlertRule } from './rule-context.js';
import { ruleFactories } from './rules/index.js';
import { RuleTimers } from './rule-timers.js';
import { inputEventTypes, type InputEventType } from '../../schemas/input-events.js';

export interface AlertingOptions {
  /** Wall clock for `emittedAt`, epoch ms. Default Date.now. */
  now?: () => number;
  /** Id of each emitted alert. Default `alertId`: derived from the emission, so the same input gives the same ids. */
  newAlertId?: (emission: AlertEmission) => string;
  /**
   * The incidents open for an input key, as the detecting processors hold them (live mode: restored with the key,
   * whatever rules are on). Asked when the key is restored, after them. Default: none.
   */
  openIncidents?: (key: string) => readonly Incident[];
}

/** Every fact kind, to index the rules by kind up front (an unknown kind is indexed on first sight). */
const factKinds: readonly FactKind[] = ['event', 'late', 'advance', 'observation', 'incident', 'drift-window', 'env-window', 'promotion-window', 'promotion-outcome', 'mttr', 'alert', 'audit'];

/** Plain JSON state of one part (a key, or the whole per-env part): firing instances and rule state by rule name. */
export interface AlertingStateSnapshot {
  instances: AlertInstanceSnapshot[];
  rules: Partial<Record<RuleName, unknown>>;
  /** Instances begun at the latest instant (their instantOrdinal, instant-starts.ts); absent when none, as in earlier releases' records. */
  instantStarts?: InstantStartsSnapshot;
}

export class AlertingProcessor implements Processor, KeyedStateStore, WholeStateStore {
  readonly name = 'alerting';
  private readonly book: AlertBook;
  private readonly rules: Array<[RuleName, AlertRule]>;
  /** Per fact kind (filled on first use), so a fact finds its rules with a property read. */
  private readonly rulesByKind: Partial<Record<FactKind, readonly AlertRule[]>> = {};
  /** Of `event` and `late` facts, the rules that read them per input event type (AlertRule.eventTypes). */
  private readonly rulesByEventType: Record<'event' | 'late', Partial<Record<InputEventType, readonly AlertRule[]>>> = { event: {}, late: {} };
  /** The timers of the enabled rules that judge by time as well as by facts (AlertRule.timer). */
  private readonly ruleTimers: RuleTimers;
  /** The escalations due before a rule timer's time (made once: the rule timers are looked at with every fact). */
  private readonly escalateBefore = (time: number): void => this.book.fireDueBefore(time);
  /** The kinds some enabled rule reads; undefined when one reads every kind (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> | undefined;
  private readonly dirty = new DirtyKeys();
  /** Which part (a key's, or the per-env whole) each firing instance belongs to, and the orphans among them. */
  private readonly parts = new AlertInstanceParts();
  /** The parts' orphans, read with every fact (one property read, as before the parts were their own module). */
  private readonly orphans = this.parts.orphans;
  /** Open incidents of the keys restored since the last fact, as they were at the restore: the incident rules judge them with the next fact (module comment). */
  private readonly restoredIncidents = new Map<string, readonly Incident[]>();
  private readonly openIncidents: (key: string) => readonly Incident[];
  /** The enabled rules that judge a restored key's open incidents. */
  private readonly incidentRules: readonly AlertRule[];

  constructor(config: AlertsConfig, classify: SeverityClassifier = createSeverityClassifier(config), options: AlertingOptions = {}) {
    this.book = new AlertBook(
      {
        escalation: [...config.escalation].sort((a, b) => a.level - b.level),
        routing: config.routing,
        now: options.now ?? Date.now,
        newAlertId: options.newAlertId ?? alertId,
      },
      (rule, labels, fingerprint, firing) => this.track(rule, labels, fingerprint, firing, true),
      new InstantStarts((key) => key !== undefined && this.dirty.mark(key)),
    );
    // Disabled rules are never instantiated, so they cannot emit anything.
    this.rules = ruleNames
      .filter((name) => config.rules[name].enabled)
      .map((name) => [name, ruleFactories[name](createRuleContext(name, config.rules[name], classify, this.book))]);
    for (const kind of factKinds) this.rulesFor(kind);
    for (const kind of ['event', 'late'] as const) {
      for (const type of inputEventTypes) {
        this.rulesByEventType[kind][type] = this.rulesFor(kind).filter((rule) => rule.eventTypes === undefined || rule.eventTypes.includes(type));
      }
    }
    this.reads = this.rules.some(([, rule]) => rule.kinds === undefined) ? undefined : new Set(this.rules.flatMap(([, rule]) => rule.kinds ?? []));
    this.ruleTimers = new RuleTimers(this.rules.flatMap(([, rule]) => (rule.timer === undefined ? [] : [rule.timer])));
    this.incidentRules = this.rules.filter(([, rule]) => rule.openIncidents !== undefined).map(([, rule]) => rule);
    this.openIncidents = options.openIncidents ?? (() => []);
  }

  /**
   * Whether a fact at `at` of a kind no rule reads would do nothing here: no orphan or restored key to judge, no
   * rule timer or escalation due before `at`, no alert waiting to be emitted (Processor.reads).
   */
  idleAt(at: number): boolean {
    return this.orphans.size === 0 && this.restoredIncidents.size === 0 && !this.ruleTimers.dueBefore(at) && !this.book.busyBefore(at);
  }

  handle(fact: Fact, emit: Emit): void {
    // Rule timers and escalations due before this fact's time happened before it (processor contract). An
    // escalation due exactly at `at` waits for a later fact (AlertBook.fireDueBefore): an alert whose condition
    // ends at that very instant must not page the next level on its way out, whichever of the instant's facts
    // comes first. The same "strictly before" as the rule timers below.
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    // Before the timers: an escalation of an orphan would page the next level of a rule that is off.
    if (this.orphans.size > 0) this.resolveOrphans(at);
    if (this.restoredIncidents.size > 0) this.judgeRestoredIncidents(at);
    this.fireRuleTimers(at);
    this.book.fireDueBefore(at);
    this.book.instantStarts.passed(at);
    if (fact.kind !== 'advance' && fact.kind !== 'alert') {
      const rules = this.rulesOf(fact);
      if (rules.length > 0) {
        for (let i = 0; i < rules.length; i++) rules[i]!.handle(fact);
        this.ruleTimers.refresh();
      }
    }
    if (this.book.hasPending) for (const { at, alert, firstFiring } of this.book.drain()) emit({ kind: 'alert', at, alert, firstFiring });
  }

  /**
   * The rules' own timers due strictly before `at`, earliest first, each with
   * the escalations due before it (rule-timers.ts). Strictly before: a fact at
   * the same time (a window row ending exactly when older samples leave the
   * window) judges the window itself, with its own samples in, instead of a
   * judgement without them a moment earlier. An escalation at the very time a
   * rule clears its alert does not happen: the condition ended first.
   */
  private fireRuleTimers(at: number): void {
    this.ruleTimers.fireBefore(at, this.escalateBefore);
  }

  /** The enabled rules that read `fact`: by its kind, and an input event's by its type too. */
  private rulesOf(fact: Fact): readonly AlertRule[] {
    if (fact.kind === 'event' || fact.kind === 'late') {
      const rules = this.rulesByEventType[fact.kind][fact.envelope.event.type];
      if (rules !== undefined) return rules;
    }
    return this.rulesFor(fact.kind);
  }

  /** The enabled rules that read facts of `kind`, in rule order (a rule passed a kind it does not read would do nothing). */
  private rulesFor(kind: FactKind): readonly AlertRule[] {
    let rules = this.rulesByKind[kind];
    if (rules === undefined) {
      rules = this.rules.filter(([, rule]) => rule.kinds === undefined || rule.kinds.includes(kind)).map(([, rule]) => rule);
      this.rulesByKind[kind] = rules;
    }
    return rules;
  }

  /** Number of alert instances currently firing (metrics, tests). */
  get firingCount(): number {
    return this.book.size;
  }

  /** Whether the alert instance with this fingerprint is firing here. */
  isFiring(fingerprint: string): boolean {
    return this.book.isFiringFingerprint(fingerprint);
  }

  /**
   * Resolves every per-env alert still firing, at `at`: for the per-env
   * share of an engine instance that left its group, once nothing in it can
   * judge them again (engine/live/retiring-shares.ts). The resolved events
   * are emitted with the next fact handled.
   */
  resolveWholeInstances(at: number): void {
    for (const fingerprint of [...this.parts.whole]) this.book.clearFingerprint(at, fingerprint);
  }

  /** No per-env rule keeps anything (samples in a rolling window): no judgement of a per-env alert is still to come from time alone. */
  get wholeRulesEmpty(): boolean {
    return this.rules.every(([, rule]) => rule.wholeState?.empty ?? true);
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  snapshotKey(key: string): AlertingStateSnapshot | undefined {
    const rules: AlertingStateSnapshot['rules'] = {};
    for (const [name, rule] of this.rules) {
      const state = rule.keyedState?.snapshotKey(key);
      if (state !== undefined) rules[name] = state;
    }
    const instances = this.book.snapshot(this.parts.ofKey(key));
    const instantStarts = this.book.instantStarts.snapshot(key);
    if (instantStarts) return { instances, rules, instantStarts };
    return instances.length > 0 || Object.keys(rules).length > 0 ? { instances, rules } : undefined;
  }

  /** Replaces the key's alert state; restored instances re-arm their escalation timers and emit nothing. */
  restoreKey(key: string, state: AlertingStateSnapshot): void {
    this.forgetKey(key);
    this.noteRestoredIncidents(key);
    this.book.instantStarts.restore(key, state.instantStarts);
    for (const instance of state.instances) this.restoreInstance(instance, key);
    for (const [name, rule] of this.rules) {
      const s = state.rules[name];
      if (s !== undefined) rule.keyedState?.restoreKey(key, s);
    }
    for (const instance of state.instances) this.rules.find(([name]) => name === instance.rule)?.[1].restoredFiring?.(instance.labels);
    this.ruleTimers.refresh();
  }

  /** Forgets the key's alert state without resolving anything (partition revoked; write its dirty state first). */
  dropKey(key: string): void {
    this.forgetKey(key);
    this.noteRestoredIncidents(key); // a restore with no alerting state of the key; revoked, it has none open (module comment)
    this.dirty.forget(key);
    this.ruleTimers.refresh();
  }

  snapshot(): AlertingStateSnapshot {
    const rules: AlertingStateSnapshot['rules'] = {};
    for (const [name, rule] of this.rules) if (rule.wholeState) rules[name] = rule.wholeState.snapshot();
    const instantStarts = this.book.instantStarts.snapshot(undefined);
    return { instances: this.book.snapshot(this.parts.whole), rules, ...(instantStarts && { instantStarts }) };
  }

  restore(state: AlertingStateSnapshot): void {
    for (const fp of this.parts.takeWhole()) this.book.drop(fp);
    this.book.instantStarts.drop(undefined);
    this.book.instantStarts.restore(undefined, state.instantStarts);
    for (const instance of state.instances) this.restoreInstance(instance);
    for (const [name, rule] of this.rules) {
      const s = state.rules[name];
      if (s !== undefined) rule.wholeState?.restore(s);
    }
    this.ruleTimers.refresh();
  }

  /** An instance of a rule not enabled here is restored as an orphan, to be resolved by the next fact (module comment). `key`: restored with that key's state. */
  private restoreInstance(instance: AlertInstanceSnapshot, key?: string): void {
    const fingerprint = this.book.restore(instance);
    if (!this.rules.some(([name]) => name === instance.rule)) this.orphans.set(fingerprint, { note: orphanNote(instance.rule), key });
    this.track(instance.rule, instance.labels, fingerprint, true, false);
  }

  /** Resolves the orphans at `at`, each with its note; one dropped since (its key moved away) is its next owner's to resolve. */
  private resolveOrphans(at: number): void {
    for (const [fingerprint, { note }] of this.orphans) this.book.clearFingerprint(at, fingerprint, note);
    this.orphans.clear();
  }

  /**
   * Notes the key's open incidents as the detecting processors restored them (restoreTopology restores them first,
   * chain order). Not asked later: by the first fact reaching alerting they may have opened an incident whose own
   * fact is still on its way here, and judged early its alert would go out before the facts it follows.
   */
  private noteRestoredIncidents(key: string): void {
    const open = this.incidentRules.length > 0 ? this.openIncidents(key) : [];
    if (open.length > 0) this.restoredIncidents.set(key, open);
    else this.restoredIncidents.delete(key);
  }

  /** The restored keys' open incidents, to the incident rules, at `at`: an alert they should have fires now (module comment). */
  private judgeRestoredIncidents(at: number): void {
    for (const incidents of this.restoredIncidents.values()) for (const rule of this.incidentRules) rule.openIncidents!(at, incidents);
    this.restoredIncidents.clear();
    this.ruleTimers.refresh(); // a call into the rules, like `handle` (RuleTimer)
  }

  private forgetKey(key: string): void {
    for (const fp of this.parts.takeKey(key)) this.book.drop(fp);
    this.book.instantStarts.drop(key);
    for (const [, rule] of this.rules) rule.keyedState?.dropKey(key);
  }

  /** Keeps the instance parts in step with the book, and marks the key of a keyed alert dirty when it changed. */
  private track(rule: RuleName, labels: Labels, fingerprint: string, firing: boolean, changed: boolean): void {
    const key = this.parts.track(rule, labels, fingerprint, firing);
    if (changed && key !== undefined) this.dirty.mark(key);
  }
}

/** Why an orphan resolved, appended to its description (the alert schema has no field for a reason). */
function orphanNote(rule: string): string {
  const why = (ruleNames as readonly string[]).includes(rule) ? 'is disabled in alerts.yaml (enabled: false)' : 'no longer exists in this driftwatch version';
  return `Resolved because rule ${rule} ${why}: nothing judges this alert any more; its condition may still hold.`;
}
