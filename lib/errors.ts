/**
 * Coded errors. Every error driftwatch raises on purpose carries a stable
 * `code` (prefixed `DW_`), a `canRetry` flag telling callers whether trying
 * again may help, and an optional `cause`. `toJSON` keeps those fields when an
 * error is logged or written to a dead-letter record.
 */
export class DriftwatchError extends Error {
  static readonly code: string = 'DW_ERROR';
  readonly code: string;
  readonly canRetry: boolean;

  constructor(message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof DriftwatchError).code;
    this.canRetry = options.canRetry ?? false;
  }

  toJSON(): Record<string, unknown> {
    const cause = this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : this.cause;
    return { name: this.name, code: this.code, message: this.message, canRetry: this.canRetry, cause };
  }
}

/** A configuration option (environment variable, flag or alerts.yaml entry) is invalid. */
export class ConfigError extends DriftwatchError {
  static override readonly code = 'DW_CONFIG_INVALID';
  constructor(readonly option: string, message: string, options: { cause?: unknown } = {}) {
    super(`${option}: ${message}`, options);
  }
}

/** An input record could not be decoded or failed validation. Not retryable: it goes to the DLQ. */
export class ValidationError extends DriftwatchError {
  static override readonly code = 'DW_VALIDATION_FAILED';
  constructor(readonly path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** The command line was used wrongly. */
export class UsageError extends DriftwatchError {
  static override readonly code = 'DW_USAGE';
}

/** The ClickHouse store (embedded or server) failed; transient failures are retryable. */
export class StoreError extends DriftwatchError {
  static override readonly code = 'DW_STORE_FAILED';
}

/** A SQL migration could not be applied. */
export class MigrationError extends DriftwatchError {
  static override readonly code = 'DW_MIGRATION_FAILED';
}

/** Kafka (broker, admin, producer or consumer) failed. */
export class KafkaError extends DriftwatchError {
  static override readonly code = 'DW_KAFKA_FAILED';
}

/** An input file could not be read. */
export class InputError extends DriftwatchError {
  static override readonly code = 'DW_INPUT_FAILED';
}

/** The schema registry failed or refused a request; `canRetry` when waiting may help. */
export class SchemaRegistryError extends DriftwatchError {
  static override readonly code: string = 'DW_SCHEMA_REGISTRY_FAILED';
}

/** A schema was refused because it breaks the subject's compatibility rule. Not retryable. */
export class SchemaIncompatibleError extends SchemaRegistryError {
  static override readonly code = 'DW_SCHEMA_INCOMPATIBLE';
  constructor(readonly subject: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** An alert instance was asked for a transition its state machine does not allow (a bug, not bad input). */
export class AlertTransitionError extends DriftwatchError {
  static override readonly code = 'DW_ALERT_TRANSITION';
}

/**
 * A live commit given up on purpose: this instance stopped being a member of
 * the group (a rebalance began) while the commit was being built, so its
 * partitions may already be another member's (engine/live/commit.ts). The
 * transaction is aborted and the state rebuilt from the changelog; nothing is
 * lost (the records are read again from the committed offsets).
 */
export class CommitAbandonedError extends DriftwatchError {
  static override readonly code = 'DW_COMMIT_ABANDONED';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, canRetry: true });
  }
}

/**
 * A live commit's transaction aborted on purpose because the store began
 * failing while the transaction waited for its rows (engine/live/commit.ts):
 * kept open through an outage, the broker would abort it after the
 * producer's transaction timeout and fence the producer. The commit waits
 * for the store and then runs its transaction again; nothing failed.
 */
export class CommitDeferredError extends DriftwatchError {
  static override readonly code = 'DW_COMMIT_DEFERRED';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, canRetry: true });
  }
}

/**
 * Another process runs with this instance's DRIFTWATCH_INSTANCE_ID in the same consumer group
 * (engine/live/duplicate-instance.ts): both have one transactional id, so each fences the other in turn. Not
 * retryable: restarted, the instance would only fence the other one again.
 */
export class DuplicateInstanceError extends DriftwatchError {
  static override readonly code = 'DW_DUPLICATE_INSTANCE';
  constructor(
    readonly instanceId: string,
    readonly groupId: string,
    /** What showed it (a member announcing the id at start-up, or this producer fenced). */
    evidence: string,
    options: { cause?: unknown } = {},
  ) {
    super(`another instance runs with DRIFTWATCH_INSTANCE_ID=${instanceId} in consumer group ${groupId} (${evidence}); each instance needs a unique id`, options);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), instanceId: this.instanceId, groupId: this.groupId };
  }
}

/**
 * The instance is stopping (a signal): a start-up or a state restore still in
 * progress was given up, so that the stop need not wait for it
 * (engine/live/live-runner.ts abortStart, changelog-reader.ts abandonWaits).
 * Nothing was processed by what was given up, so nothing is lost; not a failure.
 */
export class StopRequestedError extends DriftwatchError {
  static override readonly code = 'DW_STOP_REQUESTED';
}

/**
 * The StopRequestedError a consumer's join is refused with once a stop during start-up gave it up
 * (engine/live/pending-join.ts): kafkajs then reports the consumer crashed, with this message (kafkajs-log-level.ts).
 */
export const JOIN_GIVEN_UP = 'stopped during start-up: the group is not joined again';

/** Whether `err` is, or was caused by, a StopRequestedError (kafkajs wraps the errors it gives up on). */
export function isStopRequested(err: unknown): boolean {
  return causeChain(err).some((e) => e instanceof StopRequestedError);
}

/** Every coded error class, so tests can check each one carries its own code. */
export const errorClasses = [
  DriftwatchError,
  ConfigError,
  ValidationError,
  UsageError,
  StoreError,
  MigrationError,
  KafkaError,
  InputError,
  SchemaRegistryError,
  SchemaIncompatibleError,
  AlertTransitionError,
  CommitAbandonedError,
  CommitDeferredError,
  DuplicateInstanceError,
  StopRequestedError,
] as const;

/** An error's fields that the cause walk and the classifications of its callers read. */
export type ErrorLike = { name?: unknown; type?: unknown; code?: unknown; status?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };

/**
 * `err` and what it wraps, outermost first (at most 8): a `cause`, or
 * kafkajs' `originalError` (the error a retry gave up on).
 */
export function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = err; typeof e === 'object' && e !== null && chain.length < 8; ) {
    const like = e as ErrorLike;
    chain.push(like);
    e = like.cause ?? like.originalError;
  }
  return chain;
}
