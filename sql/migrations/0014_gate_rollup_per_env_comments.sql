-- 0014 — the read instruction in the comments of gate_runs_hourly.passed /
-- failed (0012) made complete (0012 is applied as it stands: a migration once
-- applied is never edited, its checksum is recorded).
--
-- The maxMap key of a window is cityHash64(window_start, instance_id),
-- without the env. Merged across envs (GROUP BY gate alone, or an env filter
-- selecting several), the same 5-minute window of two envs is one key and
-- keeps the larger of their counts instead of their sum: the gate failure
-- rate of "all envs" was wrong whenever two envs ran a gate in the same
-- window. Merge per env, then add the envs' sums (sql/README.md, Hourly
-- rollups). The states themselves are right per env and stay as they are.
--
-- Metadata only; every statement sets the same text when run again.

ALTER TABLE driftwatch.gate_runs_hourly
    COMMENT COLUMN IF EXISTS passed 'passed runs per window (key: the window and instance, not the env): read arraySum(maxMapMerge(passed).2) with GROUP BY env, then sum the envs (merged across envs, the same window of two envs keeps the larger count)';

ALTER TABLE driftwatch.gate_runs_hourly
    COMMENT COLUMN IF EXISTS failed 'failed runs per window (key: the window and instance, not the env): read arraySum(maxMapMerge(failed).2) with GROUP BY env, then sum the envs (merged across envs, the same window of two envs keeps the larger count)';
