/** Event-time processing options shared by the processors (SPEC §4). Loaded and validated by config/env-config.ts. */
export interface ProcessingOptions {
  /** Watermark = max event time seen − allowedLateness; events older than the watermark by more than this are late. Default 30 s. */
  allowedLatenessMs: number;
  /** How long after a desired-state change (or a failed promotion) the previous (or failed) digest stays acceptable. Default 120 s. */
  convergenceGraceMs: number;
  /** A source silent for longer than this is forgotten. Default 15 min. */
  sourceTtlMs: number;
  /**
   * Most sources a key keeps (and a drift window counts) at once, whatever a
   * producer sends within the TTL: past it a new source takes the place of
   * one whose digest is acceptable (state-drift/source-bound.ts). Default 10,000.
   */
  maxSourcesPerKey: number;
  /** Tumbling window size for drift, promotion and determinism windows. Default 5 min. */
  windowMs: number;
  /** How far back (event time) duplicate eventIds are remembered. Default 1 h. */
  dedupHorizonMs: number;
  /** Upper bound on remembered eventIds, whatever the horizon. Default 1,000,000. */
  dedupMaxEntries: number;
  /**
   * An event whose occurredAt lies further than this ahead of the wall clock
   * is dead-lettered rather than processed. Default 5 min. Why: the watermark
   * follows the newest event time, so one event from a producer whose clock
   * is a day ahead (or a corrupted year 9999) would fire every timer up to
   * that time (grace ends: false drift incidents) and leave every later event
   * late (not judged) — an engine blind until real time caught up.
   */
  maxFutureSkewMs: number;
}

export const defaultProcessingOptions: ProcessingOptions = {
  allowedLatenessMs: 30_000,
  convergenceGraceMs: 120_000,
  sourceTtlMs: 15 * 60_000,
  maxSourcesPerKey: 10_000,
  windowMs: 5 * 60_000,
  dedupHorizonMs: 60 * 60_000,
  dedupMaxEntries: 1_000_000,
  maxFutureSkewMs: 5 * 60_000,
};
