/**
 * Determinism drift (SPEC §4.5): per `(env, artifact, ruleId)`, in epoch-aligned
 * tumbling windows of `windowMs`, two `ok` hydrations with the same
 * `inputDigest` and different `outputDigest` open a determinism incident at the
 * second one's time. While it is open, new conflicting outputs update it. It
 * resolves (reason `consistent`) at the end of the first later window in which
 * the rule ran and every input it ran on produced exactly one distinct output.
 * An input whose every run in the window failed produced no output: SPEC asks
 * for one, so such a window (an error-only one included) proves nothing and
 * resolves nothing — a rule that only fails has not shown it is deterministic
 * again (it used to count as consistent, an all-clear from a failing rule).
 *
 * Choices where SPEC is silent:
 * - the incident's `inputDigest` is the input of the conflict that opened it;
 *   conflicting outputs of other inputs while it is open are added to
 *   `divergentDigests` too (the rule is nondeterministic either way), up to
 *   the incident's bound (incident-lifecycle.ts): past it they are counted,
 *   once per input and window, in `divergentDigestsOmitted`;
 * - a late hydration (older than the frontier; its fact's `at` is the
 *   frontier) counts when its window is the one the frontier is in
 *   (late-window.ts, as in every windowed processor): that window has not
 *   closed (it closes when the frontier reaches its end), so SPEC §4.7's
 *   "late events do not reopen closed windows" does not apply and ignoring
 *   it would lose a conflict of an open window. It counts as of the
 *   frontier, when it is learnt (an incident it opens starts there, as late
 *   state-drift evidence does). A late hydration of a closed window is ignored
 *   here (counted and stored by other processors).
 *
 * A window closes by timer at its end (one timer per rule with an open window).
 * Per-rule state is dropped once the rule is idle (no open window) and has no
 * open incident, so memory is bounded by active rules; a window's inputs and
 * outputs are bounded too (determinism-window.ts).
 *
 * Live-mode state (KeyedStateStore) is per input key `<env>/<artifact>`: the
 * states of every rule of that env and artifact, each with its open window,
 * whose close timer (at the window's end) is re-armed on restore.
 */
import type { ProcessingOptions } from '../config/processing-options.js';
import type { SeverityClassifier } from '../config/alert-rules.js';
import { stableId } from '../lib/ids.js';
import { windowStart } from '../lib/time.js';
import { lateEventWindowOpen } from './late-window.js';
import type { Fact, FactKind, Incident } from './facts.js';
import { inputEventKinds, type Emit, type Processor } from './processor.js';
import type { HydrationEvent } from '../schemas/input-events.js';
import { TimerQueue } from './timer-queue.js';
import { IncidentLifecycle, incidentFact, OpenIncidentTally, sortedUnique } from './state-drift/incident-lifecycle.js';
import { DirtyKeys, type DirtyHolder, type KeyedStateStore } from './stateful.js';
import { addOutput, everyInputHasAnOutput, newWindow, outputsOf, windowFromSnapshot, windowSnapshot, type RuleWindow, type RuleWindowSnapshot } from './determinism-window.js';

export { MAX_INPUTS_PER_WINDOW, MAX_OUTPUTS_PER_INPUT } from './determinism-window.js';

interface RuleState extends DirtyHolder {
  /** The input key `<env>/<artifact>` the rule's state lives under. */
  key: string;
  /** JSON of [env, artifact, ruleId]: the rule's id, its timer key and its sort key in snapshots. */
  ruleKey: string;
  env: string;
  artifact: string;
  ruleId: string;
  window: RuleWindow | null;
  lifecycle: IncidentLifecycle;
  /** Start of the window the open incident was opened in; only later windows can resolve it. */
  openedInWindow: number;
}

/** Plain JSON form of one rule's state, for the per-key changelog. */
export interface DeterminismRuleSnapshot {
  env: string;
  artifact: string;
  ruleId: string;
  window: RuleWindowSnapshot | null;
  incident: Incident | null;
  openedInWindow: number;
}

/** All rules of one `<env>/<artifact>` key. */
export interface DeterminismKeySnapshot {
  rules: DeterminismRuleSnapshot[];
}

export class DeterminismProcessor implements Processor, KeyedStateStore {
  readonly name = 'determinism';
  /** Other facts only fire the timers due by their time (Processor.reads). */
  readonly reads: ReadonlySet<FactKind> = inputEventKinds;
  /** Rule key (JSON of env, artifact, ruleId) → state; the rule key is also its timer key. */
  private readonly rules = new Map<string, RuleState>();
  /**
   * Input key → its rules by rule key, so a key's state is found without
   * scanning every rule, and a hydration finds its rule among the few of its
   * key without building the rule key.
   */
  private readonly rulesByKey = new Map<string, Map<string, RuleState>>();
  private readonly timers = new TimerQueue();
  private readonly dirty = new DirtyKeys();
  /** Rules with an open incident, kept by their lifecycles (so the gauge needs no scan). */
  private readonly openTally = new OpenIncidentTally();

  constructor(
    private readonly options: ProcessingOptions,
    private readonly classify: SeverityClassifier,
  ) {}

  idleAt(at: number): boolean {
    return !this.timers.hasDue(at);
  }

  handle(fact: Fact, emit: Emit): void {
    const at = fact.at; // read once: see readsAtOnce in processor.ts
    if (this.timers.hasDue(at)) this.fireTimers(at, emit);
    if (fact.kind === 'event' && fact.envelope.event.type === 'hydration') {
      this.onHydration(fact.envelope.key, fact.envelope.event, at, emit);
    } else if (fact.kind === 'late' && fact.envelope.event.type === 'hydration' && lateEventWindowOpen(fact, this.options.windowMs)) {
      this.onHydration(fact.envelope.key, fact.envelope.event, at, emit);
    }
  }

  /** A closure written in `handle` would make V8 allocate its captured context on every call, due or not; here only when a timer is due. */
  private fireTimers(at: number, emit: Emit): void {
    this.timers.fireDue(at, (key, time) => this.closeWindow(key, time, emit));
  }

  /** How many rules have an open incident, O(1) (see StateDriftProcessor.openIncidents). */
  openIncidents(): number {
    return this.openTally.value;
  }

  /** The key's open incidents, one per rule with one, in rule order (see StateDriftProcessor.openIncidentsOf). */
  openIncidentsOf(key: string): Incident[] {
    const open: Incident[] = [];
    for (const rule of this.rulesByKey.get(key)?.values() ?? []) if (rule.lifecycle.current) open.push({ ...rule.lifecycle.current });
    return open;
  }

  /** Rules with state (an open window or an open incident). */
  get activeRules(): number {
    return this.rules.size;
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  snapshotKey(key: string): DeterminismKeySnapshot | undefined {
    const ofKey = this.rulesByKey.get(key);
    if (!ofKey) return undefined;
    const rules = [...ofKey.keys()].sort().map((rk) => snapshotRule(ofKey.get(rk)!));
    return { rules };
  }

  /** Replaces the key's rules and re-arms the close timer of each open window. */
  restoreKey(key: string, state: DeterminismKeySnapshot): void {
    this.forgetKey(key);
    for (const r of state.rules) {
      const lifecycle = new IncidentLifecycle(this.openTally);
      lifecycle.restore(r.incident);
      const window = r.window && windowFromSnapshot(r.window);
      const ruleKey = this.addRule({ key, ruleKey: ruleKeyOf(r.env, r.artifact, r.ruleId), env: r.env, artifact: r.artifact, ruleId: r.ruleId, window, lifecycle, openedInWindow: r.openedInWindow });
      if (window) this.timers.schedule(ruleKey, window.start + this.options.windowMs);
    }
  }

  /** Forgets a key's rules and their timers (partition revoked; write its dirty state first). */
  dropKey(key: string): void {
    this.forgetKey(key);
    this.dirty.forget(key);
  }

  private forgetKey(key: string): void {
    for (const [rk, rule] of this.rulesByKey.get(key) ?? []) {
      rule.lifecycle.release();
      this.rules.delete(rk);
      this.timers.cancel(rk);
    }
    this.rulesByKey.delete(key);
  }

  private addRule(rule: RuleState): string {
    const ruleKey = rule.ruleKey;
    const replaced = this.rules.get(ruleKey);
    if (replaced !== undefined && replaced !== rule) replaced.lifecycle.release();
    this.rules.set(ruleKey, rule);
    let ofKey = this.rulesByKey.get(rule.key);
    if (!ofKey) this.rulesByKey.set(rule.key, (ofKey = new Map()));
    ofKey.set(ruleKey, rule);
    return ruleKey;
  }

  /** The rule of (env, artifact, ruleId) under its input key, if it has state. */
  private findRule(stateKey: string, event: HydrationEvent): RuleState | undefined {
    const ofKey = this.rulesByKey.get(stateKey);
    if (ofKey === undefined) return undefined;
    for (const rule of ofKey.values()) {
      if (rule.ruleId === event.ruleId && rule.env === event.env && rule.artifact === event.artifact) return rule;
    }
    return undefined;
  }

  private deleteRule(ruleKey: string, rule: RuleState): void {
    rule.lifecycle.release();
    this.rules.delete(ruleKey);
    const set = this.rulesByKey.get(rule.key);
    set?.delete(ruleKey);
    if (set?.size === 0) this.rulesByKey.delete(rule.key);
  }

  private onHydration(stateKey: string, event: HydrationEvent, at: number, emit: Emit): void {
    let rule = this.findRule(stateKey, event);
    if (!rule) {
      const ruleKey = ruleKeyOf(event.env, event.artifact, event.ruleId);
      rule = { key: stateKey, ruleKey, env: event.env, artifact: event.artifact, ruleId: event.ruleId, window: null, lifecycle: new IncidentLifecycle(this.openTally), openedInWindow: 0 };
      this.addRule(rule);
    }
    this.dirty.markVia(rule, stateKey);
    const key = rule.ruleKey;
    const start = windowStart(at, this.options.windowMs);
    if (!rule.window || rule.window.start !== start) {
      // The previous window, if any, was closed by its timer before this fact (its end ≤ at).
      rule.window = newWindow(start);
      this.timers.schedule(key, start + this.options.windowMs);
    }
    const win = rule.window;
    const outputs = outputsOf(win, event.inputDigest);
    // A failed run is an input seen without an output (see closeWindow); no output to compare.
    if (event.status !== 'ok') return;
    if (outputs.includes(event.outputDigest) || !addOutput(outputs, event.outputDigest)) return;
    if (outputs.length < 2) return;

    win.conflicted = true;
    const digests = sortedUnique(outputs);
    if (rule.lifecycle.phase === 'idle') {
      const incident = rule.lifecycle.open({
        incidentId: stableId('inc', 'determinism', rule.env, rule.artifact, rule.ruleId, at),
        kind: 'determinism',
        env: rule.env,
        artifact: rule.artifact,
        ruleId: rule.ruleId,
        severity: this.classify('hydration_nondeterminism', { env: rule.env, artifact: rule.artifact, ruleId: rule.ruleId }),
        startedAt: at,
        divergentDigests: digests,
        inputDigest: event.inputDigest,
        correlationId: event.correlationId,
        // The run that revealed the conflict, for the alert text (the first output's replica is not kept).
        divergentSources: [{ sourceId: `hydration:${event.instance}`, digest: event.outputDigest }],
      });
      rule.openedInWindow = start;
      emit(incidentFact('opened', incident, at));
      return;
    }
    // Only the outputs new to the incident: the input's first two (its conflict begins), else its newest. Those past
    // the incident's bound are counted, so each conflicting output is counted once per input and window.
    const updated = rule.lifecycle.update({ divergentDigests: outputs.length === 2 ? digests : [event.outputDigest] });
    if (updated) emit(incidentFact('updated', updated, at));
  }

  /** Window end: resolve an open incident if this later window was consistent, then forget the window. */
  private closeWindow(key: string, end: number, emit: Emit): void {
    const rule = this.rules.get(key);
    if (!rule?.window) return;
    this.dirty.markVia(rule, rule.key);
    const win = rule.window;
    rule.window = null;
    if (rule.lifecycle.phase === 'open' && !win.conflicted && win.start > rule.openedInWindow && everyInputHasAnOutput(win)) {
      emit(incidentFact('resolved', rule.lifecycle.resolve(end, 'consistent'), end));
    }
    if (rule.lifecycle.phase === 'idle') this.deleteRule(key, rule);
  }
}

function ruleKeyOf(env: string, artifact: string, ruleId: string): string {
  return JSON.stringify([env, artifact, ruleId]);
}

function snapshotRule(rule: RuleState): DeterminismRuleSnapshot {
  const w = rule.window;
  return {
    env: rule.env,
    artifact: rule.artifact,
    ruleId: rule.ruleId,
    window: w && windowSnapshot(w),
    incident: rule.lifecycle.current && { ...rule.lifecycle.current, divergentDigests: [...rule.lifecycle.current.divergentDigests] },
    openedInWindow: rule.openedInWindow,
  };
}
