/**
 * The env-level rows of one live engine generation, held back from the store
 * until the commit that covers the work they come of.
 *
 * A rebalance (or a failed commit) undoes what a member did since its last
 * commit: the partitions' new owners redo it from the committed offsets. The
 * store is not undone. A per-key row needs nothing more — the redo writes the
 * same row, whoever does it. An env-level row does: it is one instance's share
 * of a window (env, promotion and gate windows, MTTR snapshots: `instance_id`
 * in their key; readers sum over it). A window the old owner closed after its
 * last commit keeps the moved keys' counts in the old owner's row; the new
 * owner counts them again in its own row; and the old owner, restored from its
 * last commit without those keys, may never write that window again to
 * replace it. The alert rows of per-env rules (rate rules, mttr_breach) are
 * of such a share too: their events go out with this commit or, abandoned,
 * never, and the member redoing the work decides from its own share, maybe
 * otherwise; stored at once, `alerts` could keep emissions no consumer saw.
 * A late event's `event.late` audit record is dated by the frontier it met,
 * which the redo need not meet again (or meets none: in order there); stored
 * at once, audit_log could keep two records of one late event, or one of an
 * event the committed work took in order.
 * So these rows wait here, and `prepareCommit` takes the ones so far into
 * its commit: they travel in its changelog records and are stored once it
 * has committed (committed-share-rows.ts). An abandoned or failed commit
 * drops them with its engine, and whoever redoes the work writes them again.
 *
 * Chosen over letting the writer hold them (it outlives engines, so it would
 * have to learn of generations and of every commit's fate) and over repairing
 * rows after a restore (an instance restored from its last commit cannot know
 * which windows it wrote since). The cost is off the hot path: a row comes per
 * window closed, incident resolved or per-env alert emitted, not per event;
 * held ones are a few per commit interval (held longer only while a store
 * outage holds the commit up, and then no faster than backpressure lets event
 * time move). Late events add one row each (≈ 0.4 KB in the commit's `s/`
 * record): many only while a backlog arrives late, which is also when they
 * matter most to count once. Replay has no
 * transactions and writes them as they come (no holding there).
 */
import type { Fact } from '../../processors/facts.js';
import { isShareAlert } from '../../processors/alerting/index.js';
import { RowMapper, type StoreRow } from '../../store/row-mappers.js';
import { LATE_ACTION } from '../../processors/audit-trail.js';

/** A fact whose rows are an instance's share, with that instance when it is not the writer's own (a departed one's). */
export interface HeldRow {
  fact: Fact;
  instanceId?: string;
}

export class HeldShareRows {
  #rows: HeldRow[] = [];

  /** Holds `fact` if its rows are an instance's share (true); false: the caller writes it now. */
  hold(fact: Fact, instanceId?: string): boolean {
    switch (fact.kind) {
      case 'alert':
        // A per-key rule's alert is decided by the key's owner alone, under an id derived from the emission: the
        // redo writes the same row. (An orphan of a rule this version no longer has is held even when its key
        // decided it: the row only waits for the commit its event goes out with.)
        if (!isShareAlert(fact.alert)) return false;
        break;
      case 'env-window':
      case 'promotion-window':
      case 'mttr':
        break;
      case 'audit':
        // A late event's record is dated by the frontier it met (its `at`, and its lag in details, all in
        // audit_log's key): a redo from the last commit may meet another frontier, or none (in order), and
        // write a second record. Held, only the committed work's is stored. Every other record is the fact's own.
        if (fact.record.action !== LATE_ACTION) return false;
        break;
      default:
        return false;
    }
    this.#rows.push(instanceId === undefined ? { fact } : { fact, instanceId });
    return true;
  }

  /** Rows held and not yet handed to a commit: worth a commit even when no input came. */
  get size(): number {
    return this.#rows.length;
  }

  /**
   * The rows held so far, for the commit being prepared, as the store gets
   * them (`instanceId`: this engine's, for rows not of a departed share);
   * holding starts over.
   */
  take(instanceId: string): StoreRow[] {
    const mapper = new RowMapper({ instanceId });
    const rows: StoreRow[] = [];
    for (const { fact, instanceId: share } of this.#rows) mapper.map(fact, (table, row) => rows.push({ table, row }), share);
    this.#rows = [];
    return rows;
  }
}
