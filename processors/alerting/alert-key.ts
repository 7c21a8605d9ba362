/**
 * Which part of the engine decides an alert: the owner of one input key
 * (the keyed rules: labels env + artifact), or each engine instance over its
 * share of the partitions (the per-env rules: mttr_breach, the rate rules).
 * Live mode holds a per-env rule's alert row for its commit
 * (engine/live/held-share-rows.ts) and the store writes it under the
 * instance whose share it is (store/row-mappers.ts, migration 0015).
 */
import type { RuleName } from '../../config/alert-rules.js';
import { stateKey } from '../stateful.js';
import type { Labels } from './alert-instance.js';

/** Rules whose alert labels include the env and artifact of one input key. */
export const keyedRules: ReadonlySet<RuleName> = new Set<RuleName>(['drift_detected', 'rollback_failed', 'hydration_nondeterminism', 'snapshot_not_verified']);

/**
 * The input key an alert of `rule` with `labels` belongs to: that of a keyed rule's alert; undefined for one of a
 * per-env rule, which is the deciding instance's own.
 */
export function alertKey(rule: string, labels: Labels): string | undefined {
  return (keyedRules as ReadonlySet<string>).has(rule) && labels.env !== undefined && labels.artifact !== undefined ? stateKey(labels.env, labels.artifact) : undefined;
}

/**
 * Whether the alert is an engine instance's share: no key's owner decided it. (An orphan of a rule this version no
 * longer has counts as one even when its key decided it: no key can be told for it.)
 */
export function isShareAlert(alert: { rule: string; labels: Labels }): boolean {
  return alertKey(alert.rule, alert.labels) === undefined;
}
