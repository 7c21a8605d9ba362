/**
 * The per-env share of an instance that left its group, run on by the owner
 * of partition 0 (engine/live/retiring-shares.ts): its open windows close
 * and are stored under its id, its rate alert resolves once the samples
 * leave the rolling hour, an alert that nothing can judge any more resolves
 * when everything else has drained, and its record becomes a tombstone.
 */
import { describe, expect, it } from 'vitest';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import { RetiringShares } from '../../../engine/live/retiring-shares.js';
import type { Fact } from '../../../processors/facts.js';
import type { AlertEvent } from '../../../schemas/alert-event.js';
import { MIN, T0 } from '../aggregates/facts.js';
import { mttrFact } from '../alerting/helpers.js';
import { departedShare, failingPromotions } from '../../helpers/departed-share.js';

function harness(firingHere: (fingerprint: string) => boolean = () => false) {
  const alerts: AlertEvent[] = [];
  const rows: Array<{ kind: string; instanceId: string | undefined; started?: number }> = [];
  const store = (fact: Fact, instanceId: string) => {
    if (fact.kind === 'promotion-window') rows.push({ kind: fact.kind, instanceId, started: fact.row.started });
    else if (fact.kind !== 'advance') rows.push({ kind: fact.kind, instanceId });
  };
  const shares = new RetiringShares({
    topology: { processing: defaultProcessingOptions, alerts: defaultAlertsConfig() },
    store,
    firingHere,
    emitAlert: (f) => alerts.push(f.alert),
  });
  return { shares, alerts, rows };
}

describe('RetiringShares', () => {
  const ghost = departedShare(failingPromotions());

  it('the departed instance had its rate alert firing and a window open', () => {
    const alerting = ghost.processors.alerting as { instances: Array<{ rule: string }> };
    expect(alerting.instances.map((i) => i.rule)).toEqual(['promotion_success_rate_low']);
    expect((ghost.processors['promotion-windows'] as { windows: unknown[] }).windows).toHaveLength(1);
  });

  it('closes its windows under its id, resolves its rate alert when the samples leave the hour, then tombstones its record', () => {
    const { shares, alerts, rows } = harness();
    shares.adopt('ghost', ghost, T0 + 7 * MIN);
    expect(shares.instanceIds).toEqual(['ghost']);
    expect(alerts).toEqual([]);

    expect(shares.changed).toBe(false);
    shares.advanceTo(T0 + 11 * MIN);
    expect(rows.filter((r) => r.kind === 'promotion-window')).toEqual([{ kind: 'promotion-window', instanceId: 'ghost', started: 1 }]);
    // A window row is worth a commit (the record moves on with it) even when no input comes.
    expect(shares.changed).toBe(true);
    const [kept] = shares.checkpointMessages();
    expect(shares.changed).toBe(false);
    expect(kept).toMatchObject({ key: 'w/ghost', partition: 0 });
    expect(kept!.value).not.toBeNull();

    // It escalates as it would have (fired at 5 min: L2 at 10, L3 at 20, L4 at 35). The 0–5 min samples leave at
    // 65 min, but the 5–10 min window (one start, nothing ended) keeps the state until it leaves at 70 min.
    shares.advanceTo(T0 + 66 * MIN);
    shares.advanceTo(T0 + 71 * MIN);
    expect(alerts.map((a) => [a.rule, a.status, a.escalationLevel, a.labels.env, a.endsAt ?? null])).toEqual([
      ['promotion_success_rate_low', 'firing', 2, 'prod', null],
      ['promotion_success_rate_low', 'firing', 3, 'prod', null],
      ['promotion_success_rate_low', 'firing', 4, 'prod', null],
      ['promotion_success_rate_low', 'resolved', 4, 'prod', new Date(T0 + 70 * MIN).toISOString()],
    ]);
    expect(rows.filter((r) => r.kind === 'alert')).toHaveLength(4);
    expect(new Set(rows.map((r) => r.instanceId))).toEqual(new Set(['ghost']));

    expect(shares.changed).toBe(true);
    expect(shares.checkpointMessages()).toEqual([{ key: 'w/ghost', partition: 0, value: null }]);
    expect(shares.instanceIds).toEqual([]);
    expect(shares.checkpointMessages()).toEqual([]);
  });

  it("an alert firing in the adopter itself speaks for its fingerprint: the share's is neither produced nor stored", () => {
    const { shares, alerts, rows } = harness(() => true);
    shares.adopt('ghost', ghost, T0 + 7 * MIN);
    shares.advanceTo(T0 + 71 * MIN);
    expect(alerts).toEqual([]);
    expect(rows.filter((r) => r.kind === 'alert')).toEqual([]);
    expect(shares.checkpointMessages()).toEqual([{ key: 'w/ghost', partition: 0, value: null }]);
  });

  it('an MTTR breach with nothing left to judge it (its incident went on with its key) resolves when the share has drained', () => {
    const breached = departedShare([mttrFact(T0 + 40 * MIN, 'prod', { openIncidents: 1, oldestOpenMs: 40 * MIN })]);
    expect((breached.processors.alerting as { instances: Array<{ rule: string }> }).instances.map((i) => i.rule)).toEqual(['mttr_breach']);
    const { shares, alerts } = harness();
    shares.adopt('ghost', breached, T0 + 41 * MIN);
    expect(alerts.map((a) => [a.rule, a.status, a.endsAt])).toEqual([['mttr_breach', 'resolved', new Date(T0 + 41 * MIN).toISOString()]]);
    expect(shares.checkpointMessages()).toEqual([{ key: 'w/ghost', partition: 0, value: null }]);
  });

  it('does nothing before event time is known, nor for an infinite frontier (end of a bounded input)', () => {
    const { shares, alerts, rows } = harness();
    shares.adopt('ghost', ghost, Number.NEGATIVE_INFINITY);
    shares.advanceTo(Number.POSITIVE_INFINITY);
    expect([alerts, rows]).toEqual([[], []]);
    expect(shares.checkpointMessages()[0]!.value).not.toBeNull();
  });

  it("goes on from the departed instance's own frontier, never back: an adopter behind it does not undo its decisions", () => {
    const breached = { ...departedShare([mttrFact(T0 + 40 * MIN, 'prod', { openIncidents: 1, oldestOpenMs: 40 * MIN })]), frontier: T0 + 40 * MIN };
    const { shares, alerts } = harness();
    shares.adopt('ghost', breached, T0 + 20 * MIN);
    shares.advanceTo(T0 + 40 * MIN);
    expect(alerts).toEqual([]);
    expect(JSON.parse(String(shares.checkpointMessages()[0]!.value))).toMatchObject({ frontier: T0 + 40 * MIN });
    shares.advanceTo(T0 + 41 * MIN);
    expect(alerts.map((a) => [a.rule, a.status, a.endsAt])).toEqual([['mttr_breach', 'resolved', new Date(T0 + 41 * MIN).toISOString()]]);
  });
});
