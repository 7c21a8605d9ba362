-- Dead letters by reason
--
-- Answers: why were input records rejected (SPEC §3: undecodable or invalid
-- records go to the DLQ, never silently dropped), from which topic, how many,
-- and when? Reasons are grouped by the failed check — the text before the
-- first ": " (a field name such as `servedDigest`, or `invalid JSON`).
-- A dead letter has no trustworthy event time: the range is on ingestion time.
--
-- Parameters (ClickHouse query parameters):
--   {from:DateTime64(3, 'UTC')}  records stored at or after this time (UTC)
--   {to:DateTime64(3, 'UTC')}    ... and before this time (UTC)
--
-- Columns: failed_check, source_topic ('' for file replays), records,
-- first_seen, last_seen, example_reason, example_raw (first 200 characters;
-- base64 when the record was not UTF-8).
SELECT
    splitByString(': ', reason)[1] AS failed_check,
    source_topic,
    count() AS records,
    min(ingested_at) AS first_seen,
    max(ingested_at) AS last_seen,
    any(reason) AS example_reason,
    leftUTF8(any(raw), 200) AS example_raw
FROM driftwatch.dead_letters FINAL
WHERE ingested_at >= {from:DateTime64(3, 'UTC')} AND ingested_at < {to:DateTime64(3, 'UTC')}
GROUP BY failed_check, source_topic
ORDER BY records DESC, failed_check, source_topic;
