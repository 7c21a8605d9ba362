/**
 * The facts of the promotion processors (facts.ts `promotion-window`,
 * `promotion-outcome`): each env's closed promotion window with its gates,
 * what became of each promotion, and the promotions, attempts and gate runs
 * the rate alerts' texts name.
 */

/** 5-minute promotion window per env (SPEC §5). */
export interface PromotionWindowRow {
  windowStart: number;
  windowEnd: number;
  env: string;
  started: number;
  succeeded: number;
  failed: number;
  /** Rollback events, including those of promotions that had succeeded. */
  rolledBack: number;
  /**
   * Rollbacks (counted in `rolledBack` too) of promotions whose success was
   * counted earlier: successful promotions = succeeded − rolledBackAfterSuccess.
   */
  rolledBackAfterSuccess: number;
  /**
   * Promotions that ended in the window, each once: its first terminal event
   * counts; a rollback after a counted success or failure does not, nor does
   * a retry (a `succeeded` or `failed` under an id that already ended, also
   * after a rollback: it changes the outcome of the promotion counted at its
   * first end, see `successChanges`). Also the `promotion_windows` column; the success rate
   * is not (succeeded − rolledBackAfterSuccess) / promotionsEnded summed over
   * windows (that mixed promotions of different windows): see
   * `endedSucceeded`, `successChanges` and `PromotionOutcome`.
   */
  promotionsEnded: number;
  /**
   * Of `promotionsEnded`, those whose first end was a success (no retries:
   * `succeeded` counts every succeeded event). Not stored.
   */
  endedSucceeded: number;
  /**
   * How this window's events changed the outcome of promotions counted
   * earlier, by the windowEnd of the window that counted them (their first
   * end; possibly this window itself), ascending: −1 for each success taken
   * back (a rollback after it, `rolledBackAfterSuccess`, or a retry that
   * failed), +1 for each failure retried into a success. The
   * promotion_success_rate_low rule amends those windows, so each promotion
   * counts once, in the window it first ended in, with the outcome it has
   * had since. Not stored.
   */
  successChanges: Array<{ windowEnd: number; delta: number }>;
  /**
   * Durations (terminal.occurredAt − started.occurredAt) of the attempts that
   * ended in the window: a promotion retried under its id after a failure
   * (started again) has one per attempt, each run taking its own time.
   * Count and sum exact; p50/p90 nearest rank, exact up to
   * EXACT_DURATIONS_KEPT attempts in the window and within 1 % past that,
   * and so is the maximum once a late event counted again took out a value
   * equal to it (lib/bounded-quantiles.ts). A gate's quantiles likewise.
   */
  durationCount: number;
  durationSumMs: number;
  durationP50Ms: number | null;
  durationP90Ms: number | null;
  durationMaxMs: number | null;
  snapshotsVerified: number;
  snapshotsUnverified: number;
  gates: GateWindowRow[];
  /**
   * Not stored, for promotion_success_rate_low's text: each promotion whose
   * outcome this window's events decided (its first end, a rollback, a
   * retry), as it was left, by promotionId: the rule names, in the window it
   * counts the promotion in (`countedIn`), those that are not successes.
   * Absent: none known.
   */
  decided?: DecidedPromotion[];
  /**
   * Not stored, for promotion_success_rate_low's text: the earlier windows
   * (their windowEnd) in which more promotions counted there turned into
   * successes here than `decided` lists (promotion-decided-notes.ts): the
   * rule forgets the names it had for them. Absent: none.
   */
  unlistedRetries?: number[];
  /**
   * Not stored, for promotion_duration_high's text: the slowest attempts
   * that ended in the window (durationCount counts them all), at most
   * MAX_LISTED_ITEMS, slowest first. Absent: none known.
   */
  slowest?: TimedAttempt[];
}

/** A promotion named in a rate alert's text (never stored). */
export interface NamedPromotion {
  promotionId: string;
  artifact: string;
  /** The version its event carried, if any. */
  version?: string;
}

/** What one window's events left a promotion's outcome at (PromotionWindowRow.decided). */
export interface DecidedPromotion extends NamedPromotion {
  /** windowEnd of the window of its first end, where the success rate counts it (as in successChanges). */
  countedIn: number;
  /** Event time of the event that decided it. */
  decidedAt: number;
  succeeded: boolean;
  /** Not a success: a failure, or rolled back (after a success or a failure, or ended by its rollback). */
  rolledBack: boolean;
  /** The rollback's target version, actor and reason, or the failure's actor and reason. */
  rollbackTo?: string;
  actor?: string;
  reason?: string;
}

/** One attempt of a promotion and how long it took (PromotionWindowRow.slowest). */
export interface TimedAttempt extends NamedPromotion {
  durationMs: number;
  endedAt: number;
}

/** One failed run of a gate (GateWindowRow.failedRuns). */
export interface FailedGateRun extends NamedPromotion {
  at: number;
}

/**
 * What became of one promotion (sql/migrations/0010, table
 * `promotion_outcomes`): each promotion counts once, at the time it first
 * ended, with its latest outcome. Emitted when it first ends and again when
 * its outcome changes (a rollback after its success or failure, a retry):
 * the row with the highest `version` is the promotion's outcome.
 */
export interface PromotionOutcome {
  env: string;
  artifact: string;
  promotionId: string;
  /** Event time of its first counted terminal event (succeeded, failed, or rolled_back when nothing ended it before). */
  firstEndedAt: number;
  /**
   * succeeded; failed (also when rolled back afterwards: a failed canary
   * rolled back is a failure); rolled_back (ended by a rollback);
   * succeeded_then_rolled_back (no success: its rollback took it back).
   */
  outcome: 'succeeded' | 'failed' | 'rolled_back' | 'succeeded_then_rolled_back';
  /** Event time of the event that decided this outcome. */
  decidedAt: number;
  /** Event time of its rollback, if any. */
  rolledBackAt?: number;
  correlationId?: string;
}

export interface GateWindowRow {
  gate: string;
  passed: number;
  failed: number;
  durationP50Ms: number | null;
  durationP90Ms: number | null;
  /**
   * Not stored, for gate_failure_rate_high's text: the latest failed runs in
   * the window (`failed` counts them all), at most MAX_LISTED_ITEMS, latest
   * first. Absent: none known.
   */
  failedRuns?: FailedGateRun[];
}
