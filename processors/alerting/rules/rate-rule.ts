/**
 * Shared machinery of the rolling-rate rules (promotion success rate,
 * promotion duration, gate failure rate, index error rate); what they are
 * given and judge is in rate-row.ts, their promotion-window form in
 * promotion-window-rate-rule.ts. Each closed
 * 5-minute window row contributes (numerator, denominator) per alert key,
 * and may amend the numerator of an earlier window's sample (RateRow.amends);
 * the rule judges numerator / denominator summed over the rows of the same
 * group (env) whose windowEnd lies in (latestEnd − windowMs, latestEnd].
 *
 * Judgement, once per row, for every key of the row's group (keys missing
 * from the row are judged too: their window may just have drained), and
 * again whenever samples leave a window by the passage of event time alone
 * (at windowEnd + windowMs of the sample, its `timer`), for the keys they left:
 *   - no rows in the window at all         → resolved: the key has not been
 *                                             measured for a whole window (an
 *     env whose promotions stopped, a gate no longer run, kept its alert
 *     firing for ever before, escalating to L4), with a note saying so
 *     (spec.unmeasured): no recovery was seen;
 *   - rows, but nothing counted in them    → keep the state (windows without a
 *     terminal promotion or an index op are no sign of recovery);
 *   - breach with ≥ minSamples samples     → firing (startsAt = the row's
 *     windowEnd, or the time samples left);
 *   - breach with fewer samples            → keep the state (not enough to
 *     confirm a breach, and still no sign of recovery);
 *   - no breach, whatever the sample count → resolved (the rate is back),
 *                                             described by spec.resolved.
 * The next departure is derived from the entries, never stored, so a
 * restored snapshot re-arms it. The entries' ends are kept in a multiset
 * beside them (EarliestTimes), so finding it after a row is not a scan of
 * every env's entries: with every env's row of a window in turn, that scan
 * made closing the window quadratic in the number of envs.
 *
 * The rolling entries are per-env (whole) state in live mode, snapshotted in
 * their insertion order, which is the order keys are judged (and alerts
 * emitted) in.
 *
 * What the text names: a sample may carry examples — the items behind its
 * numerator (failed promotions, failed gate runs, slow attempts, artifacts
 * with errors) — and a row may change those of an earlier window's sample
 * (RateRow.exampleChanges, as amends change its numerator). Each window's
 * sample keeps at most MAX_LISTED_ITEMS of them, the first by rank, so the
 * state stays bounded by keys and windows, not events; the rule's text gets
 * those of the windows in the span (Judged.examples). A row may also say
 * that an earlier window's examples may no longer be true and it cannot say
 * which (RateRow.examplesForgotten): that sample then names none of those it
 * had. They are snapshotted
 * with the samples; a snapshot from before they were kept restores without
 * any (the text then names none until new windows bring them).
 */
import { EarliestTimes } from '../../../lib/earliest-times.js';
import { ConfigError } from '../../../lib/errors.js';
import { byText, keepFirst } from '../../bounded-examples.js';
import { duration } from '../format.js';
import type { Labels } from '../alert-instance.js';
import type { AlertRule, RuleContext } from '../rule-context.js';
import type { RateExample, RateRuleSpec } from './rate-row.js';

interface Entry {
  end: number;
  numerator: number;
  denominator: number;
  examples: RateExample[];
}

interface KeyWindow {
  labels: Labels;
  entries: Entry[];
}

/** Plain JSON form: per group, each key's labels and window entries (`examples` only when some; absent before they were kept). */
export interface RateRuleSnapshot {
  groups: Array<[group: string, keys: Array<{ labels: Labels; entries: EntrySnapshot[] }>]>;
}

type EntrySnapshot = Omit<Entry, 'examples'> & { examples?: RateExample[] };

/**
 * `ends`: the `end` of every entry of every key, each once per entry (the next departure is the earliest +
 * windowMs); given by a test to put it out of step with the entries.
 */
export function createRateRule(ctx: RuleContext, spec: RateRuleSpec, ends = new EarliestTimes()): AlertRule {
  const { threshold, windowMs, minSamples } = requiredParameters(ctx);
  /** Appended to a resolution for want of samples: the condition was not seen to end (README, Consuming alerts). */
  const unmeasuredNote = (labels: Labels) =>
    `Resolved because ${spec.unmeasured(labels)} was reported for ${duration(windowMs)} (its window): this rule no longer measures it, and the rate was not seen to recover.`;
  /** group → key → window */
  const groups = new Map<string, Map<string, KeyWindow>>();
  /** When the next sample leaves its window (Infinity: none); recomputed after every change. */
  let nextDue = Infinity;

  /** Judges one key's window at `at`, once its entries are those in the window. */
  function judge(at: number, startsAt: number, w: KeyWindow): void {
    let numerator = 0;
    let denominator = 0;
    const examples: RateExample[] = [];
    for (const e of w.entries) {
      numerator += e.numerator;
      denominator += e.denominator;
      examples.push(...e.examples);
    }
    // Rates are never below 0 (a rule's samples could, in principle, take back more than they counted).
    if (numerator < 0) numerator = 0;
    if (denominator === 0) {
      // An empty window means the key has not been measured for a whole window: its alert ends. Windows that
      // counted nothing (no terminal promotion, no index op) are no sign of recovery: the state stays.
      if (w.entries.length === 0) ctx.clear(at, w.labels, undefined, unmeasuredNote(w.labels));
      return;
    }
    const value = numerator / denominator;
    if (!spec.breaches(value, threshold)) {
      // Described only when it resolves an alert: a key judged within its threshold window after window costs no text.
      const text = ctx.isFiring(w.labels) ? spec.resolved({ labels: w.labels, value, numerator, denominator, threshold, windowMs, examples: [] }) : undefined;
      ctx.clear(at, w.labels, undefined, undefined, text);
    } else if (denominator >= minSamples) {
      const judged = { labels: w.labels, value, numerator, denominator, threshold, windowMs, examples: examples.sort(highestRankFirst) };
      ctx.raise(at, { labels: w.labels, startsAt, ...spec.describe(judged) });
    }
  }

  /** Bounded state: forget keys with nothing in the window and no live alert, and groups with no keys. */
  function forgetEmpty(group: string, keys: Map<string, KeyWindow>): void {
    for (const [key, w] of keys) if (w.entries.length === 0 && !ctx.isFiring(w.labels)) keys.delete(key);
    if (keys.size === 0) groups.delete(group);
  }

  function departureAfterEntries(): number {
    return ends.earliest + windowMs;
  }

  /**
   * After the entries that left by `at` were dropped: an end still held that would have left by then is one no entry
   * has (the multiset out of step with the entries). Dropped, so the next departure moves past `at` — left, the timer
   * would be due at the same time however often it fired (rule-timers.ts).
   */
  function dropStaleEnds(at: number): void {
    while (ends.earliest + windowMs <= at) ends.discardEarliest();
  }

  function addEntry(w: KeyWindow, entry: Entry): void {
    w.entries.push(entry);
    ends.add(entry.end);
  }

  /**
   * Drops the key's entries that left the window by `at` (end + windowMs ≤ at); whether there were any. The same sum
   * as the due time's (departureAfterEntries), not end ≤ at − windowMs: the two may round differently.
   */
  function dropEntriesLeftBy(w: KeyWindow, at: number): boolean {
    const staying: Entry[] = [];
    for (const e of w.entries) {
      if (e.end + windowMs > at) staying.push(e);
      else ends.remove(e.end);
    }
    const dropped = staying.length !== w.entries.length;
    w.entries = staying;
    return dropped;
  }

  return {
    kinds: spec.kinds,
    handle(fact) {
      const row = spec.rowOf(fact);
      if (!row) return;
      let keys = groups.get(row.group);
      if (!keys) groups.set(row.group, (keys = new Map()));
      for (const s of row.samples) {
        const key = labelsKey(s.labels);
        let w = keys.get(key);
        if (!w) keys.set(key, (w = { labels: s.labels, entries: [] }));
        // A second row for a window already counted corrects it (an env rollup closed again after a rebalance
        // brought a moved key's share of it, drift-env-rollups.ts): it replaces that window's sample, never adds to it.
        const counted = w.entries.find((e) => e.end === row.windowEnd);
        const examples = kept(s.examples ?? []);
        if (counted) {
          counted.numerator = s.numerator;
          counted.denominator = s.denominator;
          counted.examples = examples;
        } else addEntry(w, { end: row.windowEnd, numerator: s.numerator, denominator: s.denominator, examples });
      }
      for (const a of row.amends ?? []) {
        const entry = keys.get(labelsKey(a.labels))?.entries.find((e) => e.end === a.windowEnd);
        // Within [0, denominator]: in live mode a key that moved between instances may take back (or give) a
        // success its new owner's share did not count (each instance judges its share, README: Known limits).
        if (entry) entry.numerator = Math.min(entry.denominator, Math.max(0, entry.numerator + a.numerator));
      }
      for (const f of row.examplesForgotten ?? []) {
        const entry = keys.get(labelsKey(f.labels))?.entries.find((e) => e.end === f.windowEnd);
        if (entry) entry.examples = [];
      }
      for (const c of row.exampleChanges ?? []) {
        const entry = keys.get(labelsKey(c.labels))?.entries.find((e) => e.end === c.windowEnd);
        if (!entry) continue;
        entry.examples = entry.examples.filter((x) => x.key !== c.key);
        if (c.example) keepFirst(entry.examples, { ...c.example }, highestRankFirst);
      }
      // Judged up to the group's latest window: a correction of an earlier one does not take later samples out.
      let latest = row.windowEnd;
      for (const w of keys.values()) for (const e of w.entries) if (e.end > latest) latest = e.end;
      for (const w of keys.values()) {
        dropEntriesLeftBy(w, latest);
        judge(fact.at, row.windowEnd, w);
      }
      forgetEmpty(row.group, keys);
      nextDue = departureAfterEntries();
    },
    timer: {
      get due() {
        return nextDue;
      },
      fire(at) {
        // Samples whose window ended at or before `at − windowMs` have left; only the keys they left can change.
        for (const [group, keys] of groups) {
          for (const w of keys.values()) if (dropEntriesLeftBy(w, at)) judge(at, at, w);
          forgetEmpty(group, keys);
        }
        dropStaleEnds(at);
        nextDue = departureAfterEntries();
      },
    },
    wholeState: {
      get empty() {
        return groups.size === 0;
      },
      snapshot(): RateRuleSnapshot {
        return {
          groups: [...groups].map(([group, keys]) => [group, [...keys.values()].map((w) => ({ labels: { ...w.labels }, entries: w.entries.map(entrySnapshot) }))]),
        };
      },
      restore(state: RateRuleSnapshot) {
        groups.clear();
        ends.clear();
        for (const [group, windows] of state.groups) {
          const keys = new Map<string, KeyWindow>();
          for (const saved of windows) {
            const w: KeyWindow = { labels: { ...saved.labels }, entries: [] };
            for (const e of saved.entries) addEntry(w, { ...e, examples: (e.examples ?? []).map((x) => ({ ...x })) });
            const key = labelsKey(w.labels);
            // A key listed twice keeps its last listing, as it always did; the first one's ends go with it.
            for (const e of keys.get(key)?.entries ?? []) ends.remove(e.end);
            keys.set(key, w);
          }
          groups.set(group, keys);
        }
        nextDue = departureAfterEntries();
      },
    },
  };
}

function requiredParameters(ctx: RuleContext): { threshold: number; windowMs: number; minSamples: number } {
  const { threshold, windowMs, minSamples } = ctx.config;
  if (threshold === undefined || windowMs === undefined || minSamples === undefined) {
    throw new ConfigError(`rules.${ctx.rule}`, 'threshold, window and minSamples are required for a rate rule');
  }
  return { threshold, windowMs, minSamples };
}

function entrySnapshot({ examples, ...counts }: Entry): EntrySnapshot {
  return examples.length > 0 ? { ...counts, examples: examples.map((x) => ({ ...x })) } : counts;
}

/** The first MAX_LISTED_ITEMS of `examples` by rank (a sample keeps no more: bounded state). */
function kept(examples: readonly RateExample[]): RateExample[] {
  const out: RateExample[] = [];
  for (const x of examples) keepFirst(out, { ...x }, highestRankFirst);
  return out;
}

function highestRankFirst(a: RateExample, b: RateExample): number {
  return b.rank - a.rank || byText(a.key, b.key);
}

function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}
