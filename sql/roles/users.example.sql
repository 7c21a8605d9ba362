-- Users for the roles in roles.sql. An example to copy and edit: replace each
-- CHANGE_ME_* with a real password (or use IDENTIFIED WITH sha256_hash BY
-- '<hex of sha256(password)>' to keep clear text out of files and history),
-- and narrow HOST to the addresses each client connects from.
--
--   driftwatch_engine   CLICKHOUSE_USER of the engine        → driftwatch_writer
--   driftwatch_grafana  user of the Grafana data source      → driftwatch_reader
--   driftwatch_adhoc    shared login for ad-hoc analysis     → driftwatch_analyst

CREATE USER IF NOT EXISTS driftwatch_engine
IDENTIFIED WITH sha256_password BY 'CHANGE_ME_ENGINE'
HOST ANY
DEFAULT ROLE driftwatch_writer;
GRANT driftwatch_writer TO driftwatch_engine;

CREATE USER IF NOT EXISTS driftwatch_grafana
IDENTIFIED WITH sha256_password BY 'CHANGE_ME_GRAFANA'
HOST ANY
DEFAULT ROLE driftwatch_reader;
GRANT driftwatch_reader TO driftwatch_grafana;

CREATE USER IF NOT EXISTS driftwatch_adhoc
IDENTIFIED WITH sha256_password BY 'CHANGE_ME_ANALYST'
HOST ANY
DEFAULT ROLE driftwatch_analyst;
GRANT driftwatch_analyst TO driftwatch_adhoc;
