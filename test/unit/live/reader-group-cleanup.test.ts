/**
 * Deleting the changelog reader's throwaway groups (reader-group-cleanup.ts)
 * is best effort: a group already gone is no news, a broker that refuses
 * (no Delete ACL on the group, a member still in it) is said once, and a
 * broker that does not answer cannot hold up a stop; the reader asks only for
 * groups its consumers can have made. The admin is a stand-in (a mock, said
 * so) throwing kafkajs's own DeleteGroups error; the
 * real broker's answers are in test/integration/live/changelog-reader-crash.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import kafkajs, { type Admin } from 'kafkajs';
import { ReaderGroupCleanup } from '../../../engine/live/reader-group-cleanup.js';
import { ChangelogReader } from '../../../engine/live/changelog-reader.js';
import { StandInKafka } from '../../helpers/stand-in-kafka.js';
import { createLogger } from '../../../lib/logger.js';

/** kafkajs's error for groups the broker did not delete, constructed as its admin does. */
function refused(type: string): Error {
  const DeleteGroupsError = kafkajs.KafkaJSDeleteGroupsError as unknown as new (message: string, groups: unknown[]) => Error;
  return new DeleteGroupsError('Error in DeleteGroups', [{ groupId: 'g', errorCode: 1, error: { type } }]);
}

function setUp(deleteGroups: (ids: string[]) => Promise<unknown>) {
  const logs: Array<{ level: number; msg: string; groupId?: string; type?: string }> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  const calls: string[][] = [];
  const admin = { deleteGroups: async (ids: string[]) => (calls.push(ids), deleteGroups(ids)) } as unknown as Admin;
  return { cleanup: new ReaderGroupCleanup(admin, logger), logs, calls };
}

describe('ReaderGroupCleanup', () => {
  afterEach(() => vi.useRealTimers());

  it('deletes the group it is given', async () => {
    const { cleanup, logs, calls } = setUp(async () => []);
    await cleanup.delete('dw.changelog-reader.1');
    expect(calls).toEqual([['dw.changelog-reader.1']]);
    expect(logs).toEqual([]);
  });

  it('a group already gone is not reported', async () => {
    const { cleanup, logs } = setUp(async () => Promise.reject(refused('GROUP_ID_NOT_FOUND')));
    await cleanup.delete('dw.changelog-reader.1');
    expect(logs).toEqual([]);
  });

  it('a refusal is a warning once, naming the group and the reason; later ones are debug lines', async () => {
    const { cleanup, logs } = setUp(async () => Promise.reject(refused('GROUP_AUTHORIZATION_FAILED')));
    await cleanup.delete('dw.changelog-reader.1');
    await cleanup.delete('dw.changelog-reader.2');
    expect(logs.map((l) => [l.level, l.groupId, l.type])).toEqual([
      [40, 'dw.changelog-reader.1', 'GROUP_AUTHORIZATION_FAILED'],
      [20, 'dw.changelog-reader.2', 'GROUP_AUTHORIZATION_FAILED'],
    ]);
  });

  it('a broker that does not answer is given up on after 5 s', async () => {
    vi.useFakeTimers();
    const { cleanup, logs } = setUp(() => new Promise(() => undefined));
    let done = false;
    void cleanup.delete('dw.changelog-reader.1').then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(logs.map((l) => [l.level, l.groupId])).toEqual([[40, 'dw.changelog-reader.1']]);
  });
});

describe('ChangelogReader: its groups', () => {
  it('deletes the group of a consumer that connected, once stopped; a reader that never started has none to delete', async () => {
    const logger = createLogger({ level: 'silent' });
    const started = new StandInKafka();
    const reader = new ChangelogReader(started.client, started.client.admin(), 'changelog', 'dw', logger);
    await reader.start();
    const [consumer] = started.consumers;
    expect(started.deletedGroups).toEqual([]);
    await reader.stop();
    expect(started.deletedGroups).toEqual([consumer!.groupId]);

    const never = new StandInKafka();
    await new ChangelogReader(never.client, never.client.admin(), 'changelog', 'dw', logger).stop();
    expect(never.deletedGroups).toEqual([]);
  });
});
