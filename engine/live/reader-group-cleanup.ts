/**
 * Deletes the changelog reader's throwaway consumer groups (one per consumer
 * it starts: changelog-reader.ts) once their consumer is out of them.
 *
 * kafkajs cannot read without a group (it has no manual assignment), and
 * the broker keeps a group its last member left — even one without committed
 * offsets, as the reader's are (it never commits) — until its periodic
 * offsets cleanup (`offsets.retention.check.interval.ms`, 10 minutes by
 * default). Until then each `driftwatch run`, and each replaced reader
 * consumer, leaves an empty `<group>.changelog-reader.<uuid>` in the group
 * list, lag dashboards and ACL audits.
 *
 * Best effort, never a failure of the restore or the stop: a group already
 * gone is no news; a refusal (no Delete ACL on the group, a member still in
 * it: a consumer whose disconnect did not end) is warned about once, then
 * logged at debug — the broker's own cleanup removes the group later; a
 * broker that does not answer is given up on after `withinMs`.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';

export class ReaderGroupCleanup {
  private warned = false;

  constructor(
    private readonly admin: Pick<Admin, 'deleteGroups'>,
    private readonly log: Logger,
    private readonly withinMs = 5_000,
  ) {}

  async delete(groupId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.admin.deleteGroups([groupId]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.withinMs} ms`)), this.withinMs).unref();
        }),
      ]);
    } catch (err) {
      const type = refusal(err);
      if (type === 'GROUP_ID_NOT_FOUND') return;
      const msg = 'could not delete a changelog reader group (the broker removes it at its next offsets cleanup)';
      if (this.warned) this.log.debug({ err, groupId, type }, msg);
      else this.log.warn({ err, groupId, type }, msg);
      this.warned = true;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The broker's reason (e.g. GROUP_AUTHORIZATION_FAILED, NON_EMPTY_GROUP) from kafkajs's DeleteGroups error or a protocol error. */
function refusal(err: unknown): string | undefined {
  const e = err as { groups?: Array<{ error?: { type?: string } }>; type?: string };
  return e.groups?.[0]?.error?.type ?? e.type;
}
