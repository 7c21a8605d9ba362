/**
 * How a live instance stops for good: its pipeline failed, its producer was
 * fenced by a twin, or its consumer crashed on an error that no new group
 * member rides out. Nothing more is processed or committed from then on, and
 * `failed` settles, so that `driftwatch run` exits non-zero and its
 * supervisor restarts the instance from the last commit.
 */
import type { Logger } from '../../lib/logger.js';
import { DriftwatchError, DuplicateInstanceError } from '../../lib/errors.js';
import { fencedByTwin } from './duplicate-instance.js';
import type { LiveState } from './live-context.js';

export interface HaltingOptions {
  log: Logger;
  state: LiveState;
  instanceId: string;
  groupId: string;
  /** `driftwatch-<group>-<instance>`: shared by every process started with this instance id (duplicate-instance.ts). */
  transactionalId: string;
}

export class Halting {
  /** Set once an engine's pipeline failed (see `pipelineFailed`) or the producer was fenced: nothing more is processed or committed. */
  halted: Error | null = null;
  private settle: (err: Error) => void = () => {};
  /**
   * Settles with the error when the consumer has stopped for good: kafkajs
   * does not restart it after a non-retriable error, and the process would
   * otherwise live on, reading nothing. A Kafka error other than fencing gets
   * a new group member instead (see the CRASH handler in group-consumer.ts);
   * fencing, a failed store or an error of ours settles this, and
   * `driftwatch run` exits non-zero so its supervisor restarts the instance
   * from the last commit.
   */
  readonly failed: Promise<Error> = new Promise((resolve) => (this.settle = resolve));

  constructor(private readonly o: HaltingOptions) {}

  /** Ends the instance with `err` without halting processing first (a consumer that crashed for good reads nothing more anyway). */
  fail(err: Error): void {
    this.settle(err);
  }

  /**
   * Why this instance will not be ready again, once it has stopped for good (fenced, or its pipeline failed) and
   * waits for `driftwatch run` to exit; null otherwise. For /readyz (readiness.ts): the start-up reason it said
   * before read as if the instance were about to serve.
   */
  get stoppingFor(): string | null {
    if (!this.halted) return null;
    // The duplicate id is the operator's to fix, and its message says how; a processing failure's cause may quote
    // a record, which stays in the log.
    return this.halted instanceof DuplicateInstanceError ? `stopping: ${this.halted.message}` : 'stopping after a processing failure (see the log)';
  }

  /**
   * An engine's pipeline stopped on an error — a processor invariant, a store
   * write that throws, an alert the encoder rejects. It drops every record
   * from then on, and its state may hold the failed fact half applied, so
   * nothing more may be processed or committed. The instance stops as it does
   * after fencing (`failed`: `driftwatch run` exits 1), and its supervisor
   * restarts it from the last commit, where the records since are read again.
   * Without this the RxJS stream died unseen: records were taken as consumed
   * and never processed, nothing committed, and /readyz still said ready.
   */
  pipelineFailed(err: unknown): void {
    if (this.halted) return;
    const cause = err instanceof Error ? err : new Error(String(err));
    this.halted = new DriftwatchError(`processing failed: ${cause.message}`, { cause });
    this.o.state.readyFlag = false; // `ready` already says no (halted); this tells the readiness listener
    this.o.log.error({ err: cause }, 'processing failed: nothing more is processed or committed; the records since the last commit are read again after a restart');
    this.settle(this.halted);
  }

  /**
   * This instance's producer was fenced: a producer with its transactional id
   * connected since, most likely another process started with the same
   * DRIFTWATCH_INSTANCE_ID. Nothing this one does can commit again, and
   * carrying on would only be fenced again: it stops for good as after a
   * pipeline failure — not ready, nothing more processed, no final commit —
   * and `driftwatch run` exits 1 with the likely cause (duplicate-instance.ts).
   */
  fenced(err: unknown): void {
    if (this.halted) return;
    const { log, state, instanceId, groupId, transactionalId } = this.o;
    const twin = fencedByTwin(err, instanceId, groupId, transactionalId);
    this.halted = twin;
    state.readyFlag = false;
    // Fenced during the stop (its final commit): `driftwatch run` no longer listens to `failed` then, so the cause
    // would go unsaid (stop leaves the line to it); said here instead, once.
    if (state.stopping) log.error({ err: twin.toJSON() }, twin.message);
    this.settle(twin);
  }
}
