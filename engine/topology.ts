/**
 * The processor chain, in one place. Order matters: every processor sees the
 * facts emitted by the ones before it, so detection (state drift,
 * determinism) comes first, aggregates next, then alerting (which reacts to
 * incidents, windows and MTTR snapshots) and the audit trail last (it audits
 * everything above).
 *
 *   event-time facts ─▶ state-drift ─▶ determinism ─▶ drift-windows
 *     ─▶ promotion-windows ─▶ mttr ─▶ alerting ─▶ audit-trail ─▶ sinks
 */
import type { Processor } from '../processors/processor.js';
import type { KeyedStateStore } from '../processors/stateful.js';
import type { ProcessingOptions } from '../config/processing-options.js';
import type { AlertsConfig } from '../config/alert-rules.js';
import { createSeverityClassifier } from '../config/alerts-config.js';
import { StateDriftProcessor } from '../processors/state-drift.js';
import { DeterminismProcessor } from '../processors/determinism.js';
import { DriftWindowsProcessor } from '../processors/drift-windows.js';
import { PromotionWindowsProcessor } from '../processors/promotion-windows.js';
import { MttrProcessor } from '../processors/mttr.js';
import { AlertingProcessor, type AlertingOptions } from '../processors/alerting/alerting-processor.js';
import { AuditTrailProcessor } from '../processors/audit-trail.js';

export interface Topology {
  stateDrift: StateDriftProcessor;
  determinism: DeterminismProcessor;
  driftWindows: DriftWindowsProcessor;
  promotionWindows: PromotionWindowsProcessor;
  mttr: MttrProcessor;
  alerting: AlertingProcessor;
  audit: AuditTrailProcessor;
  /** All processors, in chain order (run them with ProcessorChain, as the pipeline does). */
  processors: Processor[];
  /** Keyed state kept outside the chain (e.g. recent eventIds for dedup), snapshotted and restored with the processors'. */
  stateStores: NamedKeyedStore[];
}

export type NamedKeyedStore = KeyedStateStore & { readonly name: string };

export interface TopologyOptions {
  processing: ProcessingOptions;
  alerts: AlertsConfig;
  alerting?: AlertingOptions;
  stateStores?: NamedKeyedStore[];
}

export function buildTopology(options: TopologyOptions): Topology {
  const classify = createSeverityClassifier(options.alerts);
  const mttrRule = options.alerts.rules.mttr_breach;
  const stateDrift = new StateDriftProcessor(options.processing, classify, options.alerts.rules.rollback_failed.enabled);
  const determinism = new DeterminismProcessor(options.processing, classify);
  const driftWindows = new DriftWindowsProcessor(options.processing);
  const promotionWindows = new PromotionWindowsProcessor(options.processing);
  // The MTTR processor emits a snapshot exactly when an open incident reaches
  // the breach age, so the mttr_breach rule fires on time without polling.
  // It also publishes when a slow recovery leaves the rule's window, so a breach by the rolling mean resolves then.
  const mttr = new MttrProcessor(options.processing, {
    breachAfterMs: mttrRule.threshold ?? 30 * 60_000,
    ...(mttrRule.enabled && mttrRule.windowMs !== undefined ? { departureWindowMs: mttrRule.windowMs } : {}),
  });
  // A rule turned back on since the snapshot learns the incidents still open from the processors that keep them.
  const alerting = new AlertingProcessor(options.alerts, classify, {
    openIncidents: (key) => [...stateDrift.openIncidentsOf(key), ...determinism.openIncidentsOf(key)],
    ...options.alerting,
  });
  const audit = new AuditTrailProcessor();
  const processors: Processor[] = [stateDrift, determinism, driftWindows, promotionWindows, mttr, alerting, audit];
  return { stateDrift, determinism, driftWindows, promotionWindows, mttr, alerting, audit, processors, stateStores: options.stateStores ?? [] };
}
