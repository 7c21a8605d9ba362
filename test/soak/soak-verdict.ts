/**
 * The soak's verdict: the committed outputs of a run under faults against
 * `replay` of the same records (test/integration/live/reference.ts), as
 * differences to print rather than a first failing assertion — a soak that
 * diverges must say everything that diverged.
 *
 * With several instance ids the per-env rules' alerts (mttr_breach, the
 * rate rules) judge each instance's share (README: Known limits), so only
 * the keyed rules' alerts are compared (and checked for a repeated alertId)
 * then; with one id, every alert.
 *
 * Late events: live mode judges records late that replay takes in order
 * when a member takes a partition over behind its own frontier (README:
 * Correct under restarts) — after a kill -9 of one of several members, its
 * partitions wait out the session timeout while the others' event time goes
 * on, whatever the allowed lateness. A late record's key may legitimately
 * end differently, so a difference on a key that had a late event is
 * *explained* (the run is inconclusive for that key); one on any other key,
 * or on no key (a duplicate alertId, a dead letter, a per-env row), fails.
 *
 * A broker fault that lost acknowledged records (broker-loss.ts) makes the
 * run inconclusive whatever else differs: the instances then read other
 * records than replay, and what they decided cannot be judged against it.
 * Not expected of a kill -9 of the broker's process (README of test/soak:
 * Broker killed): the loss is in the verdict, to be looked into.
 */
import type { AlertEvent } from '../../schemas/alert-event.js';
import { isShareAlert } from '../../processors/alerting/alert-key.js';
import { alertLine, type ReplayReference } from '../integration/live/reference.js';

export type StoreDiff = Record<string, { onlyLive: string[]; onlyReplay: string[] }>;

export interface SoakOutputs {
  alerts: AlertEvent[];
  incidents: Array<Record<string, unknown>>;
  dlqCount: number;
  /** Late events: `event.late` audit rows in the stores, and the counters scraped from the processes. */
  lateAudited: number;
  lateScraped: number;
  /** `<env>/<artifact>` of the keys that had a late event. */
  lateKeys: ReadonlySet<string>;
  /** More than one instance id ran. */
  shared: boolean;
  /** The stores' tables against replay's store: per table that differs, the rows only one side has (store-snapshot.ts). */
  store: StoreDiff;
  /** Acknowledged records the broker faults lost (broker-loss.ts); 0 or absent: none. */
  brokerLost?: number;
}

/** Differences of one kind: those on keys without a late event (unexplained) and how many on keys with one. */
export interface Differences {
  unexplained: string[];
  explained: number;
}

export interface Verdict {
  verdict: 'pass' | 'FAIL' | 'inconclusive';
  compared: 'all alerts' | 'keyed alerts';
  alerts: { live: number; replay: number; missing: Differences; extra: Differences; idsNotReplays: Differences };
  shareAlerts: { live: number; replay: number };
  duplicateAlertIds: string[];
  incidents: { live: number; replay: number; differing: Differences };
  store: Record<string, Differences>;
  dlq: { live: number; replay: number };
  late: { audited: number; scraped: number; keys: number };
  brokerLost: number;
}

/** Elements of `a` not matched one-for-one in `b` by `by` (multiset difference). */
function minus<T>(a: readonly T[], b: readonly T[], by: (x: T) => string): T[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(by(x), (left.get(by(x)) ?? 0) + 1);
  const out: T[] = [];
  for (const x of a) {
    const n = left.get(by(x)) ?? 0;
    if (n > 0) left.set(by(x), n - 1);
    else out.push(x);
  }
  return out;
}

const keyOf = (env: unknown, artifact: unknown): string | undefined => (typeof env === 'string' && typeof artifact === 'string' ? `${env}/${artifact}` : undefined);

export function soakVerdict(live: SoakOutputs, ref: ReplayReference): Verdict {
  const sort = (items: Array<{ text: string; key: string | undefined }>): Differences => {
    const explained = items.filter((i) => i.key !== undefined && live.lateKeys.has(i.key));
    return { unexplained: items.filter((i) => !explained.includes(i)).map((i) => i.text), explained: explained.length };
  };
  const comparable = (alerts: readonly AlertEvent[]) => (live.shared ? alerts.filter((a) => !isShareAlert(a)) : [...alerts]);
  const [mine, theirs] = [comparable(live.alerts), comparable(ref.alerts)];
  const alertDiff = (a: AlertEvent) => ({ text: alertLine(a), key: keyOf(a.labels.env, a.labels.artifact) });
  // Two instances' shares may decide one per-env alert at the same event time, under one alertId (README: Consuming
  // alerts): only the compared alerts must not repeat an id.
  const ids = mine.map((a) => a.alertId);
  const duplicateAlertIds = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

  const byId = (rows: Array<Record<string, unknown>>) => new Map(rows.map((r) => [String(r.incident_id), r]));
  const [liveInc, refInc] = [byId(live.incidents), byId(ref.incidents)];
  const incidents: Array<{ text: string; key: string | undefined }> = [];
  for (const id of new Set([...liveInc.keys(), ...refInc.keys()])) {
    const [l, r] = [liveInc.get(id), refInc.get(id)];
    if (JSON.stringify(l) !== JSON.stringify(r)) incidents.push({ text: `live ${JSON.stringify(l)} replay ${JSON.stringify(r)}`, key: keyOf((l ?? r)!.env, (l ?? r)!.artifact) });
  }

  const rowDiff = (side: string) => (row: string) => {
    const r = JSON.parse(row) as Record<string, unknown>;
    return { text: `${side}: ${row}`, key: keyOf(r.env, r.artifact) };
  };
  const store = Object.fromEntries(
    Object.entries(live.store).map(([table, d]) => [table, sort([...d.onlyLive.map(rowDiff('live')), ...d.onlyReplay.map(rowDiff('replay'))])]),
  );

  const verdict: Verdict = {
    verdict: 'pass',
    compared: live.shared ? 'keyed alerts' : 'all alerts',
    alerts: {
      live: mine.length,
      replay: theirs.length,
      missing: sort(minus(theirs, mine, alertLine).map(alertDiff)),
      extra: sort(minus(mine, theirs, alertLine).map(alertDiff)),
      // alertId is derived from the emission (README: Consuming alerts): what was decided again has replay's ids too.
      idsNotReplays: sort(minus(mine, theirs, (a) => a.alertId).map((a) => ({ text: `${a.alertId} ${alertLine(a)}`, key: keyOf(a.labels.env, a.labels.artifact) }))),
    },
    shareAlerts: { live: live.alerts.filter(isShareAlert).length, replay: ref.alerts.filter(isShareAlert).length },
    duplicateAlertIds,
    incidents: { live: live.incidents.length, replay: ref.incidents.length, differing: sort(incidents) },
    store,
    dlq: { live: live.dlqCount, replay: ref.dlq.length },
    late: { audited: live.lateAudited, scraped: live.lateScraped, keys: live.lateKeys.size },
    brokerLost: live.brokerLost ?? 0,
  };
  const all = [verdict.alerts.missing, verdict.alerts.extra, verdict.alerts.idsNotReplays, verdict.incidents.differing, ...Object.values(store)];
  const unexplained = all.some((d) => d.unexplained.length > 0) || duplicateAlertIds.length > 0 || live.dlqCount !== ref.dlq.length;
  const explained = all.some((d) => d.explained > 0);
  verdict.verdict = verdict.brokerLost > 0 ? 'inconclusive' : unexplained ? 'FAIL' : explained ? 'inconclusive' : 'pass';
  return verdict;
}
