/**
 * What a rolling-rate rule (rate-rule.ts) is given and what it judges: each
 * closed window's row of samples per alert key, the amends and example
 * changes it brings to earlier windows' samples, the items (examples) a
 * sample names, and the spec that turns facts into rows and judgements into
 * text.
 */
import type { Fact, FactKind } from '../../facts.js';
import type { Labels } from '../alert-instance.js';

export interface RateSample {
  labels: Labels;
  numerator: number;
  denominator: number;
  /** Items behind the numerator to name in the text (any number: the sample keeps the first MAX_LISTED_ITEMS by rank). */
  examples?: RateExample[];
}

/** An item a rule names in its text: a promotion, a gate run, an artifact. */
export interface RateExample {
  /** Identifies the item within its alert key (a change of it replaces or removes it). */
  key: string;
  /** Listing order, highest first (ties by key): the latest, the slowest, the most errors. */
  rank: number;
  /** What the text calls it (a promotion id, an artifact). */
  name: string;
  /** What the text says of it, in parentheses after the name. */
  detail?: string;
}

/** A change to the examples of an earlier window's sample: `example` replaces the item `key`, or, absent, removes it. */
export interface RateExampleChange {
  labels: Labels;
  /** windowEnd of the sample to change. */
  windowEnd: number;
  key: string;
  example?: RateExample;
}

/** A change to the numerator of an earlier window's sample (see RateRow.amends). */
export interface RateAmend {
  labels: Labels;
  /** windowEnd of the sample to change. */
  windowEnd: number;
  numerator: number;
}

/** One closed window's contribution: its group, windowEnd, and a sample per key present in it. */
export interface RateRow {
  group: string;
  windowEnd: number;
  samples: RateSample[];
  /**
   * Changes to samples of earlier windows of the group (or of this row's own),
   * applied after this row's samples are added and before judging: a
   * rollback or a failed retry in this window of a promotion whose success
   * an earlier window counted takes that success back where it was counted,
   * a successful retry of one counted as failed gives it one. An amend of a
   * window no longer (or never) in the rolling window changes nothing: that
   * promotion is not among those the window judges.
   */
  amends?: RateAmend[];
  /** Changes to the examples of samples of the group, applied with `amends`; one of a window not in the rolling window changes nothing. */
  exampleChanges?: RateExampleChange[];
  /** Samples of the group (by labels and windowEnd) whose examples so far go, before `exampleChanges` apply. */
  examplesForgotten?: Array<{ labels: Labels; windowEnd: number }>;
}

export interface Judged {
  labels: Labels;
  /** numerator / denominator over the window. */
  value: number;
  numerator: number;
  denominator: number;
  threshold: number;
  windowMs: number;
  /** The examples of the samples in the window, highest rank first (each sample's first MAX_LISTED_ITEMS). */
  examples: RateExample[];
}

export interface RateRuleSpec {
  /** The only fact kinds `rowOf` can turn into a row (see AlertRule.kinds). */
  kinds?: readonly FactKind[];
  /** The row a fact contributes, or undefined when the fact is not for this rule. */
  rowOf: (fact: Fact) => RateRow | undefined;
  breaches: (value: number, threshold: number) => boolean;
  describe: (judged: Judged) => { summary: string; description: string };
  /**
   * The text of the resolution when the rate is back within the threshold, from what the window holds then (the
   * firing text describes the breach); `examples` are left out of `judged` (empty), as it names no culprits.
   */
  resolved: (judged: Judged) => { summary: string; description: string };
  /**
   * What was not reported for a whole `window` when none of a key's samples is left in it (e.g. `no promotion in
   * prod`): its resolution then says so (rate-rule.ts), not being a recovery.
   */
  unmeasured: (labels: Labels) => string;
}
