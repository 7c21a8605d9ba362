/**
 * The consumer group's description, asked once per generation of this
 * member. Two readers want it on a join: the member count reported on every
 * join (group-members.ts) and, in the restore, the instance ids of the
 * members when other instances' per-env records exist (retiring shares).
 * Each used to describe the group itself: two describeGroups requests on
 * one join. Within a generation the members are fixed (any change of
 * membership is a rebalance, a new generation), so one description serves
 * both; a later one is asked for only where a reader needs it again (a
 * group that was not yet Stable).
 */
import type { Admin, GroupDescription } from 'kafkajs';

export class GroupDescriber {
  #generation: number | undefined;
  #described: Promise<GroupDescription | undefined> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
  ) {}

  /**
   * The group as described for `generation`: the first reader asks, the
   * others share its answer (also while it is on its way). A failed look-up
   * is not kept: the next reader asks again, as it did on its own before.
   */
  forGeneration(generation: number): Promise<GroupDescription | undefined> {
    if (this.#generation === generation && this.#described) return this.#described;
    const described = this.describeNow();
    this.#generation = generation;
    this.#described = described;
    described.catch(() => {
      if (this.#described === described) this.#described = undefined;
    });
    return described;
  }

  /** A new description, not shared (a reader asking again). */
  async describeNow(): Promise<GroupDescription | undefined> {
    const { groups } = await this.admin.describeGroups([this.groupId]);
    return groups[0];
  }
}
