/**
 * promotion_success_rate_low on virtual time over a fixture: its events
 * through the promotion windows and the rule alone (one escalation level,
 * minSamples 1, so that a handful of promotions can fire it), then event
 * time advanced past each `until` (HH:MM on the fixtures' day, 2026-11-27).
 */
import { join } from 'node:path';
import { PromotionWindowsProcessor } from '../../processors/promotion-windows.js';
import type { Fact } from '../../processors/facts.js';
import type { InputEvent } from '../../schemas/input-events.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { makeProcessor, only } from '../unit/alerting/helpers.js';
import { fixturesDir, readNdjson } from './replay-fixture.js';

/** The alerts, as [status, startsAt, emitted at] in HH:MM. */
export function judgeSuccessRate(fixture: string, windowMs: number, until: string[]): Array<[string, string, string]> {
  const { run } = makeProcessor((c) => {
    only('promotion_success_rate_low')(c);
    c.escalation = [c.escalation[0]!];
    c.rules.promotion_success_rate_low.windowMs = windowMs;
    c.rules.promotion_success_rate_low.minSamples = 1;
  });
  const windows = new PromotionWindowsProcessor(defaultProcessingOptions);
  const out: Array<{ at: number; alert: { status: string; startsAt: string } }> = [];
  const feed = (fact: Fact) => {
    windows.handle(fact, (emitted) => out.push(...run(emitted)));
    out.push(...run(fact));
  };
  for (const event of readNdjson<InputEvent>(join(fixturesDir, fixture))) {
    const t = Date.parse(event.occurredAt);
    feed({ kind: 'event', at: t, envelope: { event, at: t, key: `${event.env}/${event.artifact}` } });
  }
  for (const hhmm of until) feed({ kind: 'advance', at: Date.parse(`2026-11-27T${hhmm}:00.000Z`) + 1 });
  const hm = (ms: number | string) => new Date(ms).toISOString().slice(11, 16);
  return out.map((o) => [o.alert.status, hm(o.alert.startsAt), hm(o.at)]);
}
