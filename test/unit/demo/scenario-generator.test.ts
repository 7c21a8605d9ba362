import { describe, it, expect } from 'vitest';
import { ScenarioGenerator } from '../../../engine/demo/scenario-generator.js';
import { injectedKinds } from '../../../engine/demo/scenario-options.js';
import { validateInputEvent, type InputEvent } from '../../../schemas/input-events.js';
import { ConfigError } from '../../../lib/errors.js';
import { drain } from './helpers.js';

const HOUR = 3_600_000;
const GRACE = 120_000;
const TTL = 15 * 60_000;
const WINDOW = 5 * 60_000;

describe('scenario generator', () => {
  it('is deterministic for a seed', () => {
    const a = new ScenarioGenerator({ seed: 5, spanMs: HOUR });
    const b = new ScenarioGenerator({ seed: 5, spanMs: HOUR });
    expect(drain(a).map((r) => r.value)).toEqual(drain(b).map((r) => r.value));
    expect(a.injected).toEqual(b.injected);
    const c = new ScenarioGenerator({ seed: 6, spanMs: HOUR });
    expect(drain(c).map((r) => r.value)).not.toEqual(drain(new ScenarioGenerator({ seed: 5, spanMs: HOUR })).map((r) => r.value));
  });

  it('produces valid SPEC §3 events, plus the duplicates and malformed lines it reports', () => {
    const gen = new ScenarioGenerator({ seed: 2, spanMs: HOUR, duplicateRate: 0.01, malformedRate: 0.01 });
    const records = drain(gen);
    const seen = new Set<string>();
    for (const r of records) {
      if (r.kind === 'malformed') {
        let valid = false;
        try {
          valid = validateInputEvent(JSON.parse(r.value)).ok;
        } catch {
          valid = false;
        }
        expect(valid, r.value).toBe(false);
        continue;
      }
      const checked = validateInputEvent(JSON.parse(r.value));
      expect(checked.ok, r.value).toBe(true);
      const event = (checked as { event: InputEvent }).event;
      expect(Date.parse(event.occurredAt)).toBe(r.at);
      expect(r.key).toBe(`${event.env}/${event.artifact}`);
      expect(r.type).toBe(event.type);
      if (r.kind === 'duplicate') expect(seen.has(event.eventId)).toBe(true);
      else expect(seen.has(event.eventId)).toBe(false);
      seen.add(event.eventId);
    }
    expect(gen.stats.records).toBe(records.length);
    expect(gen.stats.duplicates).toBe(records.filter((r) => r.kind === 'duplicate').length);
    expect(gen.stats.malformed).toBeGreaterThan(0);
    expect(gen.stats.duplicates).toBeGreaterThan(0);
  });

  it('hands records out in roughly event-time order: never more than 20 s out of order', () => {
    const records = drain(new ScenarioGenerator({ seed: 3, spanMs: HOUR, duplicateRate: 0.05 }));
    let maxSeen = -Infinity;
    let worst = 0;
    for (const r of records) {
      worst = Math.max(worst, maxSeen - r.at);
      maxSeen = Math.max(maxSeen, r.at);
    }
    expect(worst).toBeGreaterThan(0); // some jitter
    expect(worst).toBeLessThan(20_000);
  });

  it('injects every kind, with ground truth that follows from its own events (SPEC §4 defaults)', () => {
    const gen = new ScenarioGenerator({ seed: 1, spanMs: 2 * HOUR });
    const records = drain(gen);
    const events = new Map(records.filter((r) => r.kind === 'event').map((r) => [r.eventId, JSON.parse(r.value) as Record<string, any>]));
    expect(new Set(gen.injected.map((i) => i.scenario))).toEqual(new Set(injectedKinds));
    for (const inj of gen.injected) {
      expect(inj.armed).toBe(true);
      const trigger = events.get(inj.triggerEventId)!;
      const t = Date.parse(trigger.occurredAt);
      expect([trigger.env, trigger.artifact]).toEqual([inj.env, inj.artifact]);
      switch (inj.scenario) {
        case 'lagging-replica': // desired changes at the success; the laggard diverges when the grace ends
          expect(trigger.phase).toBe('succeeded');
          expect(inj.startsAt).toBe(t + GRACE);
          break;
        case 'stuck-rollback':
          expect(trigger.phase).toBe('rolled_back');
          expect(inj.startsAt).toBe(t + GRACE);
          break;
        case 'sticky-canary': {
          // The failed digest stays acceptable for the grace; the canary is forgotten once silent for longer than the TTL.
          expect(trigger.phase).toBe('failed');
          expect(inj.startsAt).toBe(t + GRACE);
          const canaryReports = records.filter((r) => r.kind === 'event' && r.key === `${inj.env}/${inj.artifact}` && JSON.parse(r.value).inputDigest === inj.divergentDigest);
          const last = Math.max(...canaryReports.map((r) => r.at));
          expect(inj.resolvesAt).toBe(last + TTL + 1);
          break;
        }
        case 'rogue-version': // drift starts at the rogue observation itself
          expect(trigger.type).toBe('index');
          expect(trigger.servedDigest).toBe(inj.divergentDigest);
          expect(inj.startsAt).toBe(t);
          break;
        case 'nondeterministic-rule': {
          // The second distinct output for the same input, in the same 5-min window.
          expect(trigger.outputDigest).toBe(inj.divergentDigest);
          expect(inj.startsAt).toBe(t);
          const windowStart = Math.floor(t / WINDOW) * WINDOW;
          const earlier = [...events.values()].filter(
            (e) => e.type === 'hydration' && e.status === 'ok' && e.env === inj.env && e.artifact === inj.artifact && e.ruleId === inj.ruleId &&
              e.inputDigest === trigger.inputDigest && Date.parse(e.occurredAt) >= windowStart && Date.parse(e.occurredAt) < t,
          );
          expect(earlier.length).toBeGreaterThan(0);
          expect(earlier.every((e) => e.outputDigest !== trigger.outputDigest)).toBe(true);
          break;
        }
      }
    }
  });

  it('is lazy: an unbounded scenario yields records one at a time, and maxRecords stops exactly', () => {
    const forever = new ScenarioGenerator({ seed: 4, spanMs: Number.POSITIVE_INFINITY, keys: 2000 });
    for (let i = 0; i < 5000; i++) expect(forever.next()).toBeDefined();
    expect(forever.stats.records).toBe(5000);
    const capped = new ScenarioGenerator({ seed: 4, spanMs: 10 * HOUR, maxRecords: 1234 });
    expect(drain(capped)).toHaveLength(1234);
  });

  it('peek shows the next record without handing it out (its incident is not expected until then)', () => {
    const gen = new ScenarioGenerator({ seed: 1, spanMs: HOUR });
    const peeked = gen.peek();
    expect(gen.stats.records).toBe(0);
    expect(gen.next()).toBe(peeked);
    expect(gen.stats.records).toBe(1);
  });

  it('rejects options that would break its own ground truth, naming the option', () => {
    expect(() => new ScenarioGenerator({ jitterMs: 15_000 })).toThrow(ConfigError);
    expect(() => new ScenarioGenerator({ jitterMs: 15_000 })).toThrow(/scenario\.jitterMs/);
    expect(() => new ScenarioGenerator({ observeEveryMs: 10 * 60_000 })).toThrow(/scenario\.observeEveryMs/);
    expect(() => new ScenarioGenerator({ rulesPerKey: 4, replicas: 3 })).toThrow(/scenario\.rulesPerKey/);
  });
});
