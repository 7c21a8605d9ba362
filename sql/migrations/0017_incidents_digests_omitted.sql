-- 0017 — an incident names at most 64 divergent digests and counts the rest.
--
-- The engine's open incident used to keep, and write in every row of it,
-- every divergent digest (or conflicting output) seen since it opened: a
-- flapping deployment serving a new digest on every event grew the engine's
-- memory and each row by one digest per event. It now names the first 64
-- seen (processors/state-drift/incident-lifecycle.ts) and counts the others
-- in `divergent_digests_omitted`; divergent_digests + that count is how many
-- it saw (a state incident counts a digest again when it becomes divergent
-- again after none served it; a determinism incident once per input and
-- window it conflicted in).
--
-- Rows written before this migration read 0 (the DEFAULT): they named every
-- digest. The engine writes the column only when it is not 0. Re-running the
-- file is a no-op (IF NOT EXISTS; the same comments).

ALTER TABLE driftwatch.incidents
    ADD COLUMN IF NOT EXISTS divergent_digests_omitted UInt32 DEFAULT 0 AFTER divergent_digests;

ALTER TABLE driftwatch.incidents
    COMMENT COLUMN IF EXISTS divergent_digests 'the divergent digests (state) or conflicting outputs (determinism) the incident saw while open, sorted: at most 64, the first seen (0017)',
    COMMENT COLUMN IF EXISTS divergent_digests_omitted 'how many more the incident saw than divergent_digests names (past its 64); 0 when it names them all, and on rows written before 0017';
