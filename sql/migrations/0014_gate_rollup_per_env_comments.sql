-- 0014 — the read instruction in the comments of gate_runs_hourly.passed /
-- failed (0012) made complete (0012 is applied as it stands: a migration once
-- applied is never edited, its checksum is recorded).
--
-- The maxMap key of a window is cityHash64(window_start, instance_id),
-- without the env or the gate. Merged across envs (GROUP BY gate alone, or
-- an env filter selecting several) or across gates (an env's rate over all
-- its gates), the same 5-minute window of two envs or gates is one key and
-- keeps the larger of their counts instead of their sum: the gate failure
-- rate of "all envs" was wrong whenever two envs ran a gate in the same
-- window. Merge per env and gate, then add the sums (sql/README.md, Hourly
-- rollups). The states themselves are right per env and gate and stay as
-- they are.
--
-- Metadata only; every statement sets the same text when run again.

ALTER TABLE driftwatch.gate_runs_hourly
    COMMENT COLUMN IF EXISTS passed 'passed runs per window (key: the window and instance, neither the env nor the gate): read arraySum(maxMapMerge(passed).2) with GROUP BY env, gate, then sum the envs and gates wanted (merged across envs or gates, the same window of two keeps the larger count)';

ALTER TABLE driftwatch.gate_runs_hourly
    COMMENT COLUMN IF EXISTS failed 'failed runs per window (key: the window and instance, neither the env nor the gate): read arraySum(maxMapMerge(failed).2) with GROUP BY env, gate, then sum the envs and gates wanted (merged across envs or gates, the same window of two keeps the larger count)';
