/** Each promotion's row in promotion_outcomes FINAL (its latest outcome), times as the store prints them. */
import type { ChdbTransport } from '../../store/chdb-transport.js';

export function finalOutcomes(store: ChdbTransport): Promise<Array<Record<string, unknown>>> {
  return store.query(
    'SELECT promotion_id, toString(first_ended_at) AS first_ended_at, outcome, toString(decided_at) AS decided_at FROM driftwatch.promotion_outcomes FINAL ORDER BY promotion_id',
  );
}
