-- 0016 — the quantile and source-count comments of 0011 made exact for the
-- engine's bounded memory (0011 is applied as it stands: a migration once
-- applied is never edited, its checksum is recorded).
--
-- 0011 said "p50 / p90 (nearest rank)" and "distinct sources". The engine
-- keeps a window's values as they are only up to a bound, then in a log
-- histogram (lib/bounded-quantiles.ts, lib/log-histogram.ts): the quantiles
-- are the nearest rank exactly below the bound and within 1 % of it past
-- that — 4096 index operations of a key in a window, 4096 promotion attempts
-- of an env in a window, 4096 runs of a gate in a window, 10 000 incidents
-- resolved in 7 days for MTTR (processors/mttr-folded.ts). A window's
-- maximum duration is exact but for one case past the bound, said below.
-- And a key's window counts sources only up to DRIFTWATCH_MAX_SOURCES_PER_KEY
-- (processors/drift-windows.ts): past it a source not counted yet is not.
-- Ordinary windows are far below every bound (README, Architecture, Memory).
--
-- Metadata only; every statement sets the same text when run again.

ALTER TABLE driftwatch.mttr_snapshots
    COMMENT COLUMN IF EXISTS p50_ms 'p50 of those recovery times, nearest rank (the ceil(q*n)-th smallest), in milliseconds: exact while the instance keeps the incidents resolved in the last 7 days one by one (up to 10000), within 1 % past that (older ones folded into a log histogram), NULL when resolved_count = 0',
    COMMENT COLUMN IF EXISTS p90_ms 'p90 of those recovery times, nearest rank (the ceil(q*n)-th smallest), in milliseconds: exact while the instance keeps the incidents resolved in the last 7 days one by one (up to 10000), within 1 % past that (older ones folded into a log histogram), NULL when resolved_count = 0';

ALTER TABLE driftwatch.drift_windows
    COMMENT COLUMN IF EXISTS sources 'distinct sources (type:instance) observed in the window, counted up to DRIFTWATCH_MAX_SOURCES_PER_KEY (default 10000): past it a source not counted yet is not',
    COMMENT COLUMN IF EXISTS divergent_sources 'distinct sources with at least one divergent observation in the window, counted up to DRIFTWATCH_MAX_SOURCES_PER_KEY (default 10000) as sources are',
    COMMENT COLUMN IF EXISTS index_latency_p50_ms 'p50 of the latency of every index operation of the key in the window, errors included, nearest rank (the ceil(q*n)-th smallest), in milliseconds: exact up to 4096 operations, within 1 % past that (a log histogram), NULL without one',
    COMMENT COLUMN IF EXISTS index_latency_p90_ms 'p90 of the same, nearest rank, in milliseconds: exact up to 4096 operations, within 1 % past that (a log histogram), NULL without one';

ALTER TABLE driftwatch.promotion_windows
    COMMENT COLUMN IF EXISTS duration_p50_ms 'p50 of those durations, nearest rank (the ceil(q*n)-th smallest), in milliseconds: exact up to 4096 attempts of the env in the window, within 1 % past that (a log histogram), NULL without one',
    COMMENT COLUMN IF EXISTS duration_p90_ms 'p90 of those durations, nearest rank, in milliseconds: exact up to 4096 attempts of the env in the window, within 1 % past that (a log histogram), NULL without one',
    COMMENT COLUMN IF EXISTS duration_max_ms 'longest of those durations, in milliseconds: exact, but within 1 % past 4096 attempts once a late event counted again took out a value equal to it, NULL without one';

ALTER TABLE driftwatch.gate_windows
    COMMENT COLUMN IF EXISTS duration_p50_ms 'p50 of the gate runs'' gateDurationMs in the window, nearest rank (the ceil(q*n)-th smallest), in milliseconds: exact up to 4096 runs of the gate, within 1 % past that (a log histogram), NULL without one',
    COMMENT COLUMN IF EXISTS duration_p90_ms 'p90 of the same, nearest rank, in milliseconds: exact up to 4096 runs of the gate, within 1 % past that (a log histogram), NULL without one';
