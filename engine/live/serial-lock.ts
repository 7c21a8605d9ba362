/**
 * One piece of the live runner's work at a time: batch handling, idle ticks,
 * commits asked for meanwhile and shutdown all read and replace the same
 * engine, so each waits for the one before it. A failed piece does not block
 * those behind it (its caller gets the error).
 */
export class SerialLock {
  private lock: Promise<void> = Promise.resolve();

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
