import { TestScheduler } from 'rxjs/testing';
import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { asOperator } from '../../../processors/processor.js';
import type { Fact } from '../../../processors/facts.js';
import { MIN, SEC, T0, advance, brief, incidentFact, makeProcessor, only, stateIncident } from './helpers.js';

const opened = incidentFact(T0 + 10 * SEC, 'opened', stateIncident());

describe('escalation by age in event time', () => {
  it('re-emits at 5, 15 and 30 min with levels 2, 3, 4, and not otherwise', () => {
    const { run } = makeProcessor(only('drift_detected'));
    expect(brief(run(opened))).toEqual([['drift_detected', 'firing', 1, 'medium', 10 * SEC]]);
    expect(run(advance(T0 + 5 * MIN - 1))).toEqual([]);
    // Emitted once event time is past the instant (a fact at the instant itself may still end the condition), at its own time.
    expect(run(advance(T0 + 5 * MIN))).toEqual([]);
    expect(brief(run(advance(T0 + 5 * MIN + 1)))).toEqual([['drift_detected', 'firing', 2, 'medium', 5 * MIN]]);
    // One fact can be late past several steps: each is emitted at its own time.
    expect(run(advance(T0 + 14 * MIN), advance(T0 + 15 * MIN - 1))).toEqual([]);
    expect(brief(run(advance(T0 + 31 * MIN)))).toEqual([
      ['drift_detected', 'firing', 3, 'medium', 15 * MIN],
      ['drift_detected', 'firing', 4, 'medium', 30 * MIN],
    ]);
    expect(run(advance(T0 + 10 * 60 * MIN), advance(Number.POSITIVE_INFINITY))).toEqual([]);
    const resolved = run(incidentFact(T0 + 11 * 60 * MIN, 'resolved', stateIncident({ resolvedAt: T0 + 11 * 60 * MIN })));
    expect(brief(resolved)).toEqual([['drift_detected', 'resolved', 4, 'medium', 11 * 60 * MIN]]);
  });

  it('each emission names who its level notifies, then who its severity escalates to, and routes by its severity (alerts.yaml escalation[].notify, routing)', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const routing = (out: Array<{ alert: { annotations: Record<string, unknown> } }>) =>
      out.map(({ alert: { annotations: a } }) => [a.notify, a.channels, a.respondWithin]);
    // Medium (seed: "escalation to platform team"): the platform team beside each level's person.
    expect(routing(run(opened))).toEqual([['On-Call Engineer, Platform Team', 'slack', '2h']]);
    expect(routing(run(advance(T0 + 31 * MIN)))).toEqual([
      ['Senior Engineer, Platform Team', 'slack', '2h'],
      ['Engineering Manager, Platform Team', 'slack', '2h'],
      ['Director of Engineering, Platform Team', 'slack', '2h'],
    ]);
    // Another severity, other routes: the rule set to critical ("immediate escalation to on-call engineers"), named once.
    const other = makeProcessor((c) => {
      only('drift_detected')(c);
      c.rules.drift_detected.severity = 'critical';
    });
    expect(routing(other.run(opened))).toEqual([['On-Call Engineer', 'pagerduty, slack, email', '5m']]);
    // High ("escalation to senior engineers"): the senior engineer from L1 on.
    const high = makeProcessor((c) => {
      only('drift_detected')(c);
      c.rules.drift_detected.severity = 'high';
    });
    expect(routing(high.run(opened))).toEqual([['On-Call Engineer, Senior Engineer', 'slack, email', '30m']]);
    expect(routing(high.run(advance(T0 + 6 * MIN)))).toEqual([['Senior Engineer', 'slack, email', '30m']]);
  });

  it('timers fire on any fact, not only on advance', () => {
    const { run } = makeProcessor(only('drift_detected'));
    run(opened);
    const other = incidentFact(T0 + 6 * MIN, 'opened', stateIncident({ incidentId: 'inc-2', artifact: 'api', startedAt: T0 + 6 * MIN }));
    expect(brief(run(other))).toEqual([
      ['drift_detected', 'firing', 2, 'medium', 5 * MIN],
      ['drift_detected', 'firing', 1, 'medium', 6 * MIN],
    ]);
  });

  it('resolving cancels the pending escalation; end of input then emits nothing', () => {
    const { run, processor } = makeProcessor(only('drift_detected'));
    run(opened);
    const out = run(incidentFact(T0 + 3 * MIN, 'resolved', stateIncident({ resolvedAt: T0 + 3 * MIN })), advance(Number.POSITIVE_INFINITY));
    expect(brief(out)).toEqual([['drift_detected', 'resolved', 1, 'medium', 3 * MIN]]);
    expect(processor.firingCount).toBe(0);
  });

  it('a condition ending at the very instant of an escalation does not escalate, whichever fact of the instant comes first', () => {
    const resolvedAt = (at: number) => incidentFact(at, 'resolved', stateIncident({ resolvedAt: at }));
    for (const [minutes, level] of [[5, 1], [30, 3]] as const) {
      const { run } = makeProcessor(only('drift_detected'));
      run(opened);
      const at = T0 + minutes * MIN;
      // Another fact at the same instant first (an advance, then another key's incident), then the resolution.
      const other = incidentFact(at, 'opened', stateIncident({ incidentId: 'inc-2', artifact: 'api', startedAt: at }));
      const out = run(advance(at - 1), advance(at), other, resolvedAt(at), advance(Number.POSITIVE_INFINITY));
      const web = brief(out.filter((a) => a.alert.labels.artifact === 'web' && a.at >= at));
      // At the instant, nothing but the resolution, at the level the alert had reached before it.
      expect(web, `${minutes} min`).toEqual([['drift_detected', 'resolved', level, 'medium', minutes * MIN]]);
    }
  });

  it('an alert first fired when already old starts at its level and keeps escalating', () => {
    const { run } = makeProcessor(only('drift_detected'));
    const late = incidentFact(T0 + 16 * MIN, 'opened', stateIncident({ detectedAt: T0 + 16 * MIN }));
    expect(brief(run(late))).toEqual([['drift_detected', 'firing', 3, 'medium', 16 * MIN]]);
    expect(brief(run(advance(Number.POSITIVE_INFINITY)))).toEqual([['drift_detected', 'firing', 4, 'medium', 30 * MIN]]);
  });

  it('works as an RxJS operator on virtual time (marbles)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const { processor } = makeProcessor(only('drift_detected'));
      const facts = cold<Fact>('a-b-(c|)', {
        a: opened,
        b: advance(T0 + 5 * MIN + 1),
        c: advance(Number.POSITIVE_INFINITY),
      });
      const levels = facts.pipe(
        asOperator(processor),
        filter((f) => f.kind === 'alert'),
        map((f) => (f.kind === 'alert' ? `L${f.alert.escalationLevel}@${(f.at - T0) / SEC}s` : '')),
      );
      expectObservable(levels).toBe('a-b-(cd|)', { a: 'L1@10s', b: 'L2@300s', c: 'L3@900s', d: 'L4@1800s' });
    });
  });
});
