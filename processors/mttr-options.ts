/**
 * The MTTR processor's options (mttr.ts): their defaults, and the checks that
 * reject a bad one at construction, naming it.
 */
import { ConfigError } from '../lib/errors.js';
import { MINUTE } from '../lib/time.js';
import { EXACT_RESOLVED_KEPT } from './mttr-resolved.js';

export interface MttrOptions {
  /** Age at which an open incident breaches MTTR; a snapshot is emitted at that moment. Default 30 min. */
  breachAfterMs?: number;
  /**
   * The rolling window the mttr_breach rule judges (1h by default; unset when
   * the rule is off): a snapshot is also emitted when a resolved incident
   * leaves it (resolvedAt + window), so a breach by the rolling mean ends when
   * the slow recovery ages out, not whenever the next incident comes.
   */
  departureWindowMs?: number;
  /** Resolved incidents kept one by one before the oldest are folded (mttr-resolved.ts; tests make it small). Default EXACT_RESOLVED_KEPT. */
  exactResolvedKept?: number;
}

/** The options MttrProcessor runs with: each checked, defaults applied. */
export interface MttrSettings {
  windowMs: number;
  breachAfterMs: number;
  departureWindowMs: number | undefined;
  exactResolvedKept: number;
}

/** Checks the window (ProcessingOptions.windowMs) and the options in turn; the first bad one throws a ConfigError naming it. */
export function mttrSettings(windowMs: number, extra: MttrOptions): MttrSettings {
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
    throw new ConfigError('windowMs', `must be a positive number of milliseconds, got ${windowMs}`);
  }
  const breach = extra.breachAfterMs ?? 30 * MINUTE;
  if (!(breach > 0) || !Number.isFinite(breach)) {
    throw new ConfigError('breachAfterMs', `must be a positive number of milliseconds, got ${breach} (default 30 min)`);
  }
  const departure = extra.departureWindowMs;
  if (departure !== undefined && !(departure > 0 && Number.isFinite(departure))) {
    throw new ConfigError('departureWindowMs', `must be a positive number of milliseconds, got ${departure}`);
  }
  const kept = extra.exactResolvedKept ?? EXACT_RESOLVED_KEPT;
  if (!Number.isSafeInteger(kept) || kept < 1) {
    throw new ConfigError('exactResolvedKept', `must be a positive whole number, got ${kept} (default ${EXACT_RESOLVED_KEPT})`);
  }
  return { windowMs, breachAfterMs: breach, departureWindowMs: departure, exactResolvedKept: kept };
}
