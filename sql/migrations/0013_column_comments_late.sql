-- 0013 — three column comments of 0011 made exact (0011 is applied as it
-- stands: a migration once applied is never edited, its checksum is
-- recorded).
--
-- * `late` / `late_events`: an event is late when it is older than the
--   watermark by more than the allowed lateness (SPEC 4.7; engine
--   processors/event-time.ts: the frontier is the watermark minus the
--   lateness), not merely "behind the watermark": an event behind the
--   watermark but within the lateness is still put in order.
-- * `promotion_outcomes.decided_at`: the occurred_at of the event that
--   decided the outcome; for a late event that is earlier than the moment
--   the engine learnt it.
--
-- Metadata only; every statement sets the same text when run again.

ALTER TABLE driftwatch.drift_windows
    COMMENT COLUMN IF EXISTS late_events 'late events of the key (older than the watermark by more than the allowed lateness, SPEC 4.7), counted in the window open when they arrived (not the window of their occurred_at, as the raw history''s late column is)';

ALTER TABLE driftwatch.env_windows
    COMMENT COLUMN IF EXISTS late_events 'late events of the env (older than the watermark by more than the allowed lateness, SPEC 4.7), counted in the window open when they arrived (not the window of their occurred_at)';

ALTER TABLE driftwatch.promotion_outcomes
    COMMENT COLUMN IF EXISTS decided_at 'occurred_at (event time, UTC) of the event that decided this outcome; for a late event earlier than when the engine learnt it';

ALTER TABLE driftwatch.promotion_events
    COMMENT COLUMN IF EXISTS late 'the event was late (older than the watermark by more than the allowed lateness, SPEC 4.7): stored, and judged from its arrival on';

ALTER TABLE driftwatch.hydration_events
    COMMENT COLUMN IF EXISTS late 'the event was late (older than the watermark by more than the allowed lateness, SPEC 4.7): stored, and judged from its arrival on';

ALTER TABLE driftwatch.index_events
    COMMENT COLUMN IF EXISTS late 'the event was late (older than the watermark by more than the allowed lateness, SPEC 4.7): stored, and judged from its arrival on';
