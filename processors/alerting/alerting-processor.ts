/**
 * Turns facts into alert events (SPEC §6). Each enabled rule of the alerts
 * config reads the facts it cares about and says when its condition holds;
 * the shared AlertBook runs the per-instance lifecycle (one firing, re-emits
 * on severity or escalation change, exactly one resolved) and escalation
 * timers in event time. Emits `alert` facts whose `at` is the event time of
 * the decision: the fact being handled, or the escalation timer's time.
 *
 * The wall clock is used for one thing only, `emittedAt`, through the
 * injectable `now`; `newAlertId` is injectable so tests get fixed ids.
 */
import type { AlertsConfig, SeverityClassifier } from '../../config/alert-rules.js';
import { createSeverityClassifier } from '../../config/alerts-config.js';
import { ruleNames } from '../../config/alert-rules.js';
import { uniqueId } from '../../lib/ids.js';
import type { Fact } from '../facts.js';
import type { Emit, Processor } from '../processor.js';
import { AlertBook } from './alert-book.js';
import { createRuleContext, type AlertRule } from './rule-context.js';
import { ruleFactories } from './rules/index.js';

export interface AlertingOptions {
  /** Wall clock for `emittedAt`, epoch ms. Default Date.now. */
  now?: () => number;
  /** Id of each emitted alert. Default uniqueId('alert'). */
  newAlertId?: () => string;
}

export class AlertingProcessor implements Processor {
  readonly name = 'alerting';
  private readonly book: AlertBook;
  private readonly rules: AlertRule[];

  constructor(config: AlertsConfig, classify: SeverityClassifier = createSeverityClassifier(config), options: AlertingOptions = {}) {
    this.book = new AlertBook({
      escalation: [...config.escalation].sort((a, b) => a.level - b.level),
      now: options.now ?? Date.now,
      newAlertId: options.newAlertId ?? (() => uniqueId('alert')),
    });
    // Disabled rules are never instantiated, so they cannot emit anything.
    this.rules = ruleNames
      .filter((name) => config.rules[name].enabled)
      .map((name) => ruleFactories[name](createRuleContext(name, config.rules[name], classify, this.book)));
  }

  handle(fact: Fact, emit: Emit): void {
    // Escalations due by this fact's time happened before it (processor contract).
    this.book.fireDue(fact.at);
    if (fact.kind !== 'advance' && fact.kind !== 'alert') {
      for (const rule of this.rules) rule.handle(fact);
    }
    for (const { at, alert } of this.book.drain()) emit({ kind: 'alert', at, alert });
  }

  /** Number of alert instances currently firing (metrics, tests). */
  get firingCount(): number {
    return this.book.size;
  }
}
