-- Roles for least privilege on a ClickHouse server (SQL-driven access
-- control: ClickHouse 22.x or newer; the embedded store has no users).
--
-- Apply once, as a user with access management (e.g. the admin user):
--   clickhouse-client --multiquery < sql/roles/roles.sql
-- then create the users and grant them a role (sql/roles/users.example.sql).
-- Every statement is idempotent (IF NOT EXISTS, GRANT repeats are no-ops).
--
-- driftwatch_writer   the engine (CLICKHOUSE_USER of `driftwatch run` and
--                     `driftwatch sql migrate`): reads and writes its own
--                     database (INSERT also feeds the materialized views'
--                     target tables), creates its database, tables and
--                     materialized views, adds columns, extends sorting
--                     keys and documents columns (migrations: ALTER … ADD
--                     COLUMN, MODIFY ORDER BY, COMMENT COLUMN),
--                     and changes TTL / storage policy (tiering: MODIFY TTL,
--                     MODIFY SETTING). Exactly what those statements need
--                     (test/unit/store/roles-sql.test.ts checks each one):
--                     nothing outside driftwatch.*, no DROP, no TRUNCATE, no
--                     other ALTER (no DELETE/UPDATE, MODIFY/DROP COLUMN).
-- driftwatch_reader   Grafana dashboards: SELECT only, readonly = 1; only
--                     max_execution_time may be changed, because the Grafana
--                     ClickHouse data source sets it on every query.
-- driftwatch_analyst  people running ad-hoc SQL: SELECT only, readonly = 2
--                     (may tune query settings, never write), with upper
--                     bounds on time, memory and result size, and a quota.

CREATE ROLE IF NOT EXISTS driftwatch_writer;
CREATE ROLE IF NOT EXISTS driftwatch_reader;
CREATE ROLE IF NOT EXISTS driftwatch_analyst;

GRANT SELECT, INSERT ON driftwatch.* TO driftwatch_writer;
GRANT CREATE DATABASE, CREATE TABLE, CREATE VIEW ON driftwatch.* TO driftwatch_writer;
GRANT ALTER ADD COLUMN, ALTER ORDER BY, ALTER COMMENT COLUMN ON driftwatch.* TO driftwatch_writer;
GRANT ALTER TTL, ALTER SETTINGS ON driftwatch.* TO driftwatch_writer;

GRANT SELECT ON driftwatch.* TO driftwatch_reader;

GRANT SELECT ON driftwatch.* TO driftwatch_analyst;

CREATE SETTINGS PROFILE IF NOT EXISTS driftwatch_reader_profile
SETTINGS
    readonly = 1,
    max_execution_time = 60 MIN 1 MAX 300 CHANGEABLE_IN_READONLY,
    max_memory_usage = 4000000000 CONST
TO driftwatch_reader;

-- Every bound has a MIN: for these limits 0 means unlimited, and readonly = 2
-- lets the analyst SET any value the constraint admits (a MAX alone admits 0).
-- A profile created before the MINs were added: ALTER SETTINGS PROFILE
-- driftwatch_analyst_profile SETTINGS … with the lines below.
CREATE SETTINGS PROFILE IF NOT EXISTS driftwatch_analyst_profile
SETTINGS
    readonly = 2,
    max_execution_time = 300 MIN 1 MAX 1800,
    max_memory_usage = 8000000000 MIN 1 MAX 16000000000,
    max_result_rows = 1000000 MIN 1 MAX 10000000,
    max_threads = 4 MIN 1 MAX 8
TO driftwatch_analyst;

CREATE QUOTA IF NOT EXISTS driftwatch_analyst_quota
FOR INTERVAL 1 hour MAX queries = 1000, execution_time = 3600
TO driftwatch_analyst;
