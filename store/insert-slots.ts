/**
 * Batches (of different tables) being sent at once. An insert's completion
 * only reaches the writer when the engine's thread is free, and the engine
 * works through a whole Kafka batch or file chunk before it is: with one
 * insert at a time the store sat idle for that long after each insert, and
 * live mode waited on backpressure meanwhile (bench:kafka, 300k events:
 * 1.1–1.3 s of ~8 s; with four in flight 0.5–0.8 s). With several in flight
 * the store takes the next while the engine works. Four keeps a server's
 * connections and, while it is down, the retry warnings few.
 */
export const MAX_CONCURRENT_INSERTS = 4;

/** The store writer's send slots: at most MAX_CONCURRENT_INSERTS batches are sent at once. */
export class InsertSlots {
  #sending = 0;
  #waiters: Array<() => void> = [];

  /** Runs `send` once fewer than MAX_CONCURRENT_INSERTS batches are being sent; waiting batches go first come, first served. */
  async run(send: () => Promise<void>): Promise<void> {
    if (this.#sending < MAX_CONCURRENT_INSERTS) this.#sending++;
    else await new Promise<void>((r) => this.#waiters.push(r)); // handed a slot that stays counted
    try {
      await send();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#sending--;
    }
  }
}
