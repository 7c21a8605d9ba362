/**
 * The rate limit of live mode's own audit records (live-audit.ts): a
 * flapping condition — readiness toggling on every rebalance of a crash-
 * looping peer, a registry refusing every look-up retry, a store outage
 * beginning and ending every few seconds — must not flood `audit_log`
 * (kept seven years) nor the store it waits for.
 *
 * Per kind (readiness, consumption, store outage, rebalance, each kind of
 * security failure), at most one record per `minIntervalMs`: the first is
 * written at once; what follows within the interval is held, the latest
 * replacing the one before, and written when the interval ends, carrying how
 * many were dropped in between (`suppressed`). So the table always ends on
 * the latest state, and a record's `suppressed` says how many transitions of
 * its kind happened unrecorded since the previous one. `flush` writes what is
 * held at once (shutdown).
 */

export interface AuditRateLimitOptions<T> {
  minIntervalMs: number;
  now: () => number;
  /** Writes `item`; `suppressed`: items of its kind dropped since the previous one written. */
  emit: (item: T, suppressed: number) => void;
}

interface KindState<T> {
  /** When the last item of this kind was written. */
  lastAt: number;
  /** The latest item offered since, waiting for the interval to end. */
  held?: T;
  /** Items offered since the last one written and replaced by a later one. */
  dropped: number;
  timer?: NodeJS.Timeout;
}

export class AuditRateLimit<T> {
  readonly #o: AuditRateLimitOptions<T>;
  readonly #kinds = new Map<string, KindState<T>>();
  #closed = false;

  constructor(options: AuditRateLimitOptions<T>) {
    this.#o = options;
  }

  /** Writes `item` now if no item of `kind` was written within the interval; else holds it (see above). Nothing once closed. */
  offer(kind: string, item: T): void {
    if (this.#closed) return;
    const now = this.#o.now();
    const state = this.#kinds.get(kind);
    if (state === undefined || (state.timer === undefined && now - state.lastAt >= this.#o.minIntervalMs)) {
      this.#kinds.set(kind, { lastAt: now, dropped: 0 });
      this.#o.emit(item, 0);
      return;
    }
    if (state.held !== undefined) state.dropped++;
    state.held = item;
    if (state.timer === undefined) {
      state.timer = setTimeout(() => this.#release(kind), Math.max(0, state.lastAt + this.#o.minIntervalMs - now));
      // A held record must never keep a stopping process alive (close() writes it).
      state.timer.unref?.();
    }
  }

  /** Writes every held item now and takes no more (shutdown: the writer is flushed next). */
  close(): void {
    for (const kind of this.#kinds.keys()) this.#release(kind);
    this.#closed = true;
  }

  #release(kind: string): void {
    const state = this.#kinds.get(kind);
    if (state === undefined) return;
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
    if (state.held === undefined) return;
    const { held, dropped } = state;
    state.held = undefined;
    state.dropped = 0;
    state.lastAt = this.#o.now();
    this.#o.emit(held, dropped);
  }
}
