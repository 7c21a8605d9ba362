-- 0011 — column comments for analysts.
--
-- DESCRIBE, system.columns and SQL clients show a column's COMMENT; until
-- now every column's was empty, and what a name does not say (a unit, event
-- time or the wall clock, what NULL means, which values occur) was only in
-- migration headers and the engine's code. These are the columns whose name
-- hides one of those. Metadata only: no data is rewritten. Every statement
-- sets the same text again when re-run (a run cut half way is simply run
-- again), and IF EXISTS keeps it from failing on a column a later migration
-- might drop.

ALTER TABLE driftwatch.incidents
    COMMENT COLUMN IF EXISTS kind 'state (a replica or index serves a digest not acceptable for the env, SPEC 4.4) | determinism (a hydration rule gave two outputs for one input, SPEC 4.5)',
    COMMENT COLUMN IF EXISTS severity 'severity of the incident''s alert (drift_detected or hydration_nondeterminism in alerts.yaml)',
    COMMENT COLUMN IF EXISTS started_at 'event time (UTC) the key became drifted; determinism: the second conflicting hydration',
    COMMENT COLUMN IF EXISTS detected_at 'event time (UTC) at which the engine emitted the firing alert, not the wall clock: detected_at - started_at is the detection delay (at most 5 min)',
    COMMENT COLUMN IF EXISTS resolved_at 'event time (UTC) the incident ended; NULL while open',
    COMMENT COLUMN IF EXISTS reason 'how it resolved: converged | promoted | source_expired (state), consistent (determinism); NULL while open',
    COMMENT COLUMN IF EXISTS recovery_ms 'resolved_at - started_at in milliseconds; NULL while open',
    COMMENT COLUMN IF EXISTS desired_from 'state incidents: what set the desired state it is judged against, promotion | rollback (latest row: may have changed while open)',
    COMMENT COLUMN IF EXISTS change 'the lifecycle change this row records: opened | updated | resolved. One row per change: read with FINAL for each incident once, in its latest state',
    COMMENT COLUMN IF EXISTS changed_at 'event time (UTC) of that change',
    COMMENT COLUMN IF EXISTS version 'grows with the change: ReplacingMergeTree(version) keeps the latest row under FINAL';

ALTER TABLE driftwatch.alerts
    COMMENT COLUMN IF EXISTS status 'firing | resolved. An alert instance is (fingerprint, starts_at): one firing row per severity or escalation change, one resolved row',
    COMMENT COLUMN IF EXISTS escalation_level '1..4, by the age of the firing alert in event time (alerts.yaml escalation, by default L2 at 5 min, L3 at 15 min, L4 at 30 min)',
    COMMENT COLUMN IF EXISTS starts_at 'event time (UTC) the alert instance began firing',
    COMMENT COLUMN IF EXISTS ends_at 'event time (UTC) it resolved; set on the resolved row only',
    COMMENT COLUMN IF EXISTS incident_id 'the incident of a drift_detected, rollback_failed or hydration_nondeterminism alert; NULL for the other rules',
    COMMENT COLUMN IF EXISTS emitted_at 'wall clock of the emission (differs between a replay and a live run of the same events): order and filter by event_time',
    COMMENT COLUMN IF EXISTS event_time 'event time (UTC) of the engine when it made this emission, the same in a replay: the time of the row';

ALTER TABLE driftwatch.mttr_snapshots
    COMMENT COLUMN IF EXISTS as_of 'event time (UTC) the snapshot describes: written when a state incident opens, resolves or has been open too long, when a resolution leaves a window, and at window boundaries (latest per scope: argMax over as_of)',
    COMMENT COLUMN IF EXISTS scope 'an env, or \'*\' for all envs',
    COMMENT COLUMN IF EXISTS instance_id 'the engine instance (DRIFTWATCH_INSTANCE_ID) that computed it over the partitions it owns, empty for replays and the demo: with several instances a share, and shares of a mean do not add up',
    COMMENT COLUMN IF EXISTS `window` 'trailing window: 1h | 24h | 7d',
    COMMENT COLUMN IF EXISTS resolved_count 'state incidents resolved in (as_of - window, as_of]; determinism incidents never count in MTTR',
    COMMENT COLUMN IF EXISTS mean_ms 'mean recovery time of those, in milliseconds; NULL when resolved_count = 0. argMax(mean_ms, as_of) skips NULLs and returns an older mean: use argMax(tuple(mean_ms), as_of).1',
    COMMENT COLUMN IF EXISTS p50_ms 'p50 (nearest rank) of those recovery times, in milliseconds; NULL when resolved_count = 0',
    COMMENT COLUMN IF EXISTS p90_ms 'p90 (nearest rank) of those recovery times, in milliseconds; NULL when resolved_count = 0',
    COMMENT COLUMN IF EXISTS open_incidents 'state incidents open at as_of',
    COMMENT COLUMN IF EXISTS oldest_open_ms 'age at as_of of the oldest open state incident, in milliseconds; NULL when none is open';

ALTER TABLE driftwatch.drift_windows
    COMMENT COLUMN IF EXISTS observations 'ok hydrations and ok index operations of the key in the window, judged or not (a key without desired state is observed, never divergent)',
    COMMENT COLUMN IF EXISTS divergent_observations 'those whose digest was not acceptable at their event time',
    COMMENT COLUMN IF EXISTS sources 'distinct sources (type:instance) observed in the window',
    COMMENT COLUMN IF EXISTS divergent_sources 'distinct sources with at least one divergent observation in the window',
    COMMENT COLUMN IF EXISTS index_latency_p50_ms 'p50 (nearest rank) of the latency of every index operation of the window, errors included, in milliseconds; NULL without one',
    COMMENT COLUMN IF EXISTS index_latency_p90_ms 'p90 (nearest rank) of the same, in milliseconds; NULL without one',
    COMMENT COLUMN IF EXISTS late_events 'events of the key behind the watermark, counted in the window open when they arrived (not the window of their occurred_at, as the raw history''s late column is)';

ALTER TABLE driftwatch.env_windows
    COMMENT COLUMN IF EXISTS instance_id 'the engine instance (DRIFTWATCH_INSTANCE_ID) whose share of the env this row holds, empty for replays and the demo: sum over the rows of a window, never pick one',
    COMMENT COLUMN IF EXISTS late_events 'events of the env behind the watermark, counted in the window open when they arrived (not the window of their occurred_at)';

ALTER TABLE driftwatch.promotion_windows
    COMMENT COLUMN IF EXISTS instance_id 'the engine instance (DRIFTWATCH_INSTANCE_ID) whose share of the env this row holds, empty for replays and the demo: sum over the rows of a window, never pick one',
    COMMENT COLUMN IF EXISTS duration_sum_ms 'sum of the durations (started to terminal event, per attempt) of the promotions that ended in the window, in milliseconds: mean = sum(duration_sum_ms) / sum(duration_count)',
    COMMENT COLUMN IF EXISTS duration_p50_ms 'p50 (nearest rank) of those durations, in milliseconds; NULL without one',
    COMMENT COLUMN IF EXISTS duration_p90_ms 'p90 (nearest rank) of those durations, in milliseconds; NULL without one',
    COMMENT COLUMN IF EXISTS duration_max_ms 'longest of those durations, in milliseconds; NULL without one';

ALTER TABLE driftwatch.gate_windows
    COMMENT COLUMN IF EXISTS instance_id 'the engine instance (DRIFTWATCH_INSTANCE_ID) whose share of the env this row holds, empty for replays and the demo: sum over the rows of a window, never pick one',
    COMMENT COLUMN IF EXISTS duration_p50_ms 'p50 (nearest rank) of the gate runs'' gateDurationMs in the window, in milliseconds; NULL without one',
    COMMENT COLUMN IF EXISTS duration_p90_ms 'p90 (nearest rank) of the same, in milliseconds; NULL without one';

ALTER TABLE driftwatch.promotion_outcomes
    COMMENT COLUMN IF EXISTS first_ended_at 'event time (UTC) of the promotion''s first terminal event: the time it is counted at',
    COMMENT COLUMN IF EXISTS outcome 'succeeded | failed | rolled_back | succeeded_then_rolled_back (no success); the latest under FINAL',
    COMMENT COLUMN IF EXISTS decided_at 'event time (UTC) the engine decided this outcome';

ALTER TABLE driftwatch.promotion_events
    COMMENT COLUMN IF EXISTS gate_duration_ms 'gateDurationMs of a gate event, in milliseconds',
    COMMENT COLUMN IF EXISTS late 'the event arrived behind the watermark (SPEC 4.7): stored, and judged from its arrival on';

ALTER TABLE driftwatch.hydration_events
    COMMENT COLUMN IF EXISTS duration_ms 'durationMs of the hydration, in milliseconds',
    COMMENT COLUMN IF EXISTS late 'the event arrived behind the watermark (SPEC 4.7): stored, and judged from its arrival on';

ALTER TABLE driftwatch.index_events
    COMMENT COLUMN IF EXISTS latency_ms 'latencyMs of the index operation, in milliseconds',
    COMMENT COLUMN IF EXISTS late 'the event arrived behind the watermark (SPEC 4.7): stored, and judged from its arrival on';

ALTER TABLE driftwatch.drift_detection_daily
    COMMENT COLUMN IF EXISTS detection_ms 'p50 and p90 states of detection delays in milliseconds, approximate and weighted by re-inserted rows, not for percentiles (take them from incidents FINAL)',
    COMMENT COLUMN IF EXISTS recovery_ms 'p50 and p90 states of recovery times in milliseconds, approximate and weighted by re-inserted rows, not for percentiles (take them from incidents FINAL)',
    COMMENT COLUMN IF EXISTS detection_ms_max 'max state of detection delays in milliseconds (exact: finish with maxMerge)';
