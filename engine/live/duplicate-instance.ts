/**
 * Two processes started with one DRIFTWATCH_INSTANCE_ID in one consumer group
 * share a transactional id (`driftwatch-<group>-<instance>`): the one whose
 * producer connects last fences the other, which used to stop with kafkajs's
 * bare fencing error; restarted by its supervisor, it fenced the survivor in
 * turn, and so on, each instance ending the other in a loop. Two defences,
 * both naming the id and the likely cause:
 *
 *  - at start-up, before the producer connects (its first transaction, the
 *    restore's marker right after joining, is what fences: kafkajs
 *    initialises the transactional id there),
 *    a member of the group that already announces this instance id (in its
 *    subscription's user data, topics/co-partition-assigner.ts) makes the
 *    instance refuse to start, leaving the running one alone. Not at first
 *    sight: a predecessor that stopped without leaving the group (kill -9, a
 *    lost pod) stays a member until its session expires, and the restart
 *    that replaces it must go ahead. So the member must still be there once
 *    a session timeout has passed: a dead one is gone by then, a live one
 *    is not;
 *  - fencing itself (two instances started at the same moment both pass the
 *    check) is reported as what it most likely is (`fencedByTwin`).
 */
import type { GroupDescription } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { DuplicateInstanceError } from '../../lib/errors.js';
import { memberInstanceId } from '../../topics/co-partition-assigner.js';

export interface DuplicateCheck {
  /** The group as it is now (a DescribeGroups request). */
  describe: () => Promise<GroupDescription | undefined>;
  instanceId: string;
  groupId: string;
  /** The consumer session timeout: how long a member that died without leaving stays in the group. */
  sessionTimeoutMs: number;
  log: Logger;
  /** Pause between two looks at the group. */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Beyond the session timeout, how long a dead member may still be listed: the coordinator expires it on time, then
 * the group rebalances (its remaining members rejoin within a heartbeat) before it is Stable, and described, again.
 */
export const SESSION_EXPIRY_MARGIN_MS = 5_000;

/**
 * How long the group may stay unreadable (rebalancing) before the check says what start-up waits for: without a word
 * it could wait the session timeout + 5 s, and an operator saw a process doing nothing. A rebalance that settles
 * sooner (the usual case) is not worth a line.
 */
export const WAIT_NOTICE_MS = 5_000;

/**
 * Resolves once no other member of the group announces `instanceId`; throws DuplicateInstanceError when one
 * still does after the session timeout (plus SESSION_EXPIRY_MARGIN_MS). A group that cannot be told (rebalancing
 * throughout: DescribeGroups lists members without their subscriptions then) is let through: fencing still says it.
 * One that rebalances at the deadline after a member was seen announcing the id is looked at until it settles
 * (for at most another such wait): that look alone would otherwise let a twin seen all along through, to fence it.
 * A group still unreadable after WAIT_NOTICE_MS (no twin seen) is logged once at info, saying what start-up waits for.
 */
export async function refuseDuplicateInstance(check: DuplicateCheck): Promise<void> {
  const now = check.now ?? Date.now;
  const sleep = check.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const waitMs = check.sessionTimeoutMs + SESSION_EXPIRY_MARGIN_MS;
  const started = now();
  const deadline = started + waitMs;
  let warned = false;
  let noticed = false;
  for (;;) {
    const group = await check.describe();
    const twins = membersAnnouncing(group, check.instanceId);
    if (twins === 0) return;
    if (now() >= deadline) {
      if (twins === null) {
        // Inconclusive: through, unless a conclusive look showed a twin (`warned`; one without it returned at once)
        // and the group may still settle.
        if (!warned || now() >= deadline + waitMs) return;
        await sleep(check.pollMs ?? 1_000);
        continue;
      }
      throw new DuplicateInstanceError(
        check.instanceId,
        check.groupId,
        `a member of the group announced this id for longer than the session timeout, ${check.sessionTimeoutMs} ms; started now, this one would fence it`,
      );
    }
    if (twins !== null && !warned) {
      warned = true;
      check.log.warn(
        { instanceId: check.instanceId, groupId: check.groupId, waitMs },
        'a member of the consumer group has this instance id: waiting for it to leave (a predecessor that stopped without leaving does once its session expires) before starting',
      );
    }
    // Once a twin was seen, its warning says what the wait is for.
    if (twins === null && !warned && !noticed && now() - started >= WAIT_NOTICE_MS) {
      noticed = true;
      check.log.info(
        { instanceId: check.instanceId, groupId: check.groupId, state: group?.state, waitedMs: now() - started, waitMs },
        'the consumer group is rebalancing: waiting for it to settle, to tell whether another member already runs with this instance id, before starting (at most waitMs unless a member with this id shows up meanwhile; then starting regardless)',
      );
    }
    await sleep(check.pollMs ?? 1_000);
  }
}

/** Members announcing `instanceId`; null when the group cannot tell (not Stable: described without subscriptions). */
function membersAnnouncing(group: GroupDescription | undefined, instanceId: string): number | null {
  if (!group || group.members.length === 0) return 0;
  if (group.state !== 'Stable') return null;
  return group.members.filter((m) => memberInstanceId(m) === instanceId).length;
}

/** The error this instance stops with once its producer was fenced: most likely a twin took its transactional id. */
export function fencedByTwin(err: unknown, instanceId: string, groupId: string, transactionalId: string): DuplicateInstanceError {
  return new DuplicateInstanceError(instanceId, groupId, `its producer was fenced: another producer started with the transactional id ${transactionalId}`, { cause: err });
}
