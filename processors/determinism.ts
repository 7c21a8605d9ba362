/**
 * Determinism drift (SPEC §4.5): per `(env, artifact, ruleId)`, in epoch-aligned
 * tumbling windows of `windowMs`, two `ok` hydrations with the same
 * `inputDigest` and different `outputDigest` open a determinism incident at the
 * second one's time. While it is open, new conflicting outputs update it. It
 * resolves (reason `consistent`) at the end of the first later window in which
 * the rule ran (any hydration, ok or error) and every input produced exactly one
 * distinct output — a window with only errors counts: the rule ran and produced
 * no conflicting output.
 *
 * Choices where SPEC is silent:
 * - the incident's `inputDigest` is the input of the conflict that opened it;
 *   conflicting outputs of other inputs while it is open are added to
 *   `divergentDigests` too (the rule is nondeterministic either way);
 * - late hydrations are ignored here (they do not reopen windows; they are
 *   counted and stored by other processors).
 *
 * A window closes by timer at its end (one timer per rule with an open window).
 * Per-rule state is dropped once the rule is idle (no open window) and has no
 * open incident, so memory is bounded by active rules.
 *
 * Live-mode state (KeyedStateStore) is per input key `<env>/<artifact>`: the
 * states of every rule of that env and artifact, each with its open window,
 * whose close timer (at the window's end) is re-armed on restore.
 */
import type { ProcessingOptions } from '../config/processing-options.js';
import type { SeverityClassifier } from '../config/alert-rules.js';
import { stableId } from '../lib/ids.js';
import { windowStart } from '../lib/time.js';
import type { Fact, Incident } from './facts.js';
import type { Emit, Processor } from './processor.js';
import type { HydrationEvent } from '../schemas/input-events.js';
import { TimerQueue } from './timer-queue.js';
import { IncidentLifecycle, incidentFact, sortedUnique } from './state-drift/incident-lifecycle.js';
import { DirtyKeys, type KeyedStateStore } from './stateful.js';

interface RuleWindow {
  start: number;
  /** inputDigest → distinct outputDigests of ok hydrations in this window. */
  outputs: Map<string, Set<string>>;
  conflicted: boolean;
}

interface RuleState {
  /** The input key `<env>/<artifact>` the rule's state lives under. */
  key: string;
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
  window: { start: number; outputs: Array<[inputDigest: string, outputDigests: string[]]>; conflicted: boolean } | null;
  incident: Incident | null;
  openedInWindow: number;
}

/** All rules of one `<env>/<artifact>` key. */
export interface DeterminismKeySnapshot {
  rules: DeterminismRuleSnapshot[];
}

export class DeterminismProcessor implements Processor, KeyedStateStore {
  readonly name = 'determinism';
  /** Rule key (JSON of env, artifact, ruleId) → state; the rule key is also its timer key. */
  private readonly rules = new Map<string, RuleState>();
  /** Input key → its rule keys, so a key's state is found without scanning every rule. */
  private readonly rulesByKey = new Map<string, Set<string>>();
  private readonly timers = new TimerQueue();
  private readonly dirty = new DirtyKeys();

  constructor(
    private readonly options: ProcessingOptions,
    private readonly classify: SeverityClassifier,
  ) {}

  handle(fact: Fact, emit: Emit): void {
    this.timers.fireDue(fact.at, (key, time) => this.closeWindow(key, time, emit));
    if (fact.kind === 'event' && fact.envelope.event.type === 'hydration') {
      this.onHydration(fact.envelope.key, fact.envelope.event, fact.at, emit);
    }
  }

  /** Rules with state (an open window or an open incident). */
  get activeRules(): number {
    return this.rules.size;
  }

  drainDirtyKeys(): string[] {
    return this.dirty.drain();
  }

  snapshotKey(key: string): DeterminismKeySnapshot | undefined {
    const ruleKeys = this.rulesByKey.get(key);
    if (!ruleKeys) return undefined;
    const rules = [...ruleKeys].sort().map((rk) => snapshotRule(this.rules.get(rk)!));
    return { rules };
  }

  /** Replaces the key's rules and re-arms the close timer of each open window. */
  restoreKey(key: string, state: DeterminismKeySnapshot): void {
    this.forgetKey(key);
    for (const r of state.rules) {
      const lifecycle = new IncidentLifecycle();
      lifecycle.restore(r.incident);
      const window = r.window && {
        start: r.window.start,
        outputs: new Map(r.window.outputs.map(([input, outputs]) => [input, new Set(outputs)])),
        conflicted: r.window.conflicted,
      };
      const ruleKey = this.addRule({ key, env: r.env, artifact: r.artifact, ruleId: r.ruleId, window, lifecycle, openedInWindow: r.openedInWindow });
      if (window) this.timers.schedule(ruleKey, window.start + this.options.windowMs);
    }
  }

  /** Forgets a key's rules and their timers (partition revoked; write its dirty state first). */
  dropKey(key: string): void {
    this.forgetKey(key);
    this.dirty.forget(key);
  }

  private forgetKey(key: string): void {
    for (const rk of this.rulesByKey.get(key) ?? []) {
      this.rules.delete(rk);
      this.timers.cancel(rk);
    }
    this.rulesByKey.delete(key);
  }

  private addRule(rule: RuleState): string {
    const ruleKey = JSON.stringify([rule.env, rule.artifact, rule.ruleId]);
    this.rules.set(ruleKey, rule);
    let set = this.rulesByKey.get(rule.key);
    if (!set) this.rulesByKey.set(rule.key, (set = new Set()));
    set.add(ruleKey);
    return ruleKey;
  }

  private deleteRule(ruleKey: string, rule: RuleState): void {
    this.rules.delete(ruleKey);
    const set = this.rulesByKey.get(rule.key);
    set?.delete(ruleKey);
    if (set?.size === 0) this.rulesByKey.delete(rule.key);
  }

  private onHydration(stateKey: string, event: HydrationEvent, at: number, emit: Emit): void {
    const key = JSON.stringify([event.env, event.artifact, event.ruleId]);
    this.dirty.mark(stateKey);
    let rule = this.rules.get(key);
    if (!rule) {
      rule = { key: stateKey, env: event.env, artifact: event.artifact, ruleId: event.ruleId, window: null, lifecycle: new IncidentLifecycle(), openedInWindow: 0 };
      this.addRule(rule);
    }
    const start = windowStart(at, this.options.windowMs);
    if (!rule.window || rule.window.start !== start) {
      // The previous window, if any, was closed by its timer before this fact (its end ≤ at).
      rule.window = { start, outputs: new Map(), conflicted: false };
      this.timers.schedule(key, start + this.options.windowMs);
    }
    if (event.status !== 'ok') return; // the rule ran: enough to count the window, no output to compare

    const win = rule.window;
    let outputs = win.outputs.get(event.inputDigest);
    if (!outputs) win.outputs.set(event.inputDigest, (outputs = new Set()));
    if (outputs.has(event.outputDigest)) return;
    outputs.add(event.outputDigest);
    if (outputs.size < 2) return;

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
      });
      rule.openedInWindow = start;
      emit(incidentFact('opened', incident, at));
      return;
    }
    const updated = rule.lifecycle.update({ divergentDigests: digests });
    if (updated) emit(incidentFact('updated', updated, at));
  }

  /** Window end: resolve an open incident if this later window was consistent, then forget the window. */
  private closeWindow(key: string, end: number, emit: Emit): void {
    const rule = this.rules.get(key);
    if (!rule?.window) return;
    this.dirty.mark(rule.key);
    const win = rule.window;
    rule.window = null;
    if (rule.lifecycle.phase === 'open' && !win.conflicted && win.start > rule.openedInWindow) {
      emit(incidentFact('resolved', rule.lifecycle.resolve(end, 'consistent'), end));
    }
    if (rule.lifecycle.phase === 'idle') this.deleteRule(key, rule);
  }
}

function snapshotRule(rule: RuleState): DeterminismRuleSnapshot {
  const w = rule.window;
  return {
    env: rule.env,
    artifact: rule.artifact,
    ruleId: rule.ruleId,
    window: w && { start: w.start, outputs: [...w.outputs].map(([input, outputs]) => [input, [...outputs]]), conflicted: w.conflicted },
    incident: rule.lifecycle.current && { ...rule.lifecycle.current, divergentDigests: [...rule.lifecycle.current.divergentDigests] },
    openedInWindow: rule.openedInWindow,
  };
}
