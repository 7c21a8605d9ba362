/** The tables the engine writes (sql/migrations), in database `driftwatch` (SPEC §5). */
export const DATABASE = 'driftwatch';

export const storeTables = [
  'promotion_events',
  'hydration_events',
  'index_events',
  'drift_windows',
  'env_windows',
  'promotion_windows',
  'gate_windows',
  'promotion_outcomes',
  'incidents',
  'mttr_snapshots',
  'alerts',
  'audit_log',
  'engine_metrics',
  'dead_letters',
] as const;

export type StoreTable = (typeof storeTables)[number];

/** `driftwatch.<table>`. */
export function qualifiedTable(table: StoreTable, database: string = DATABASE): string {
  return `${database}.${table}`;
}
