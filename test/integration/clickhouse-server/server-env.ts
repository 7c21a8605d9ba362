/**
 * Where the ClickHouse server of the integration tests is (see
 * server-store.test.ts, which also fails under CI=true when it is not set).
 */
import { describe } from 'vitest';

export const SERVER_URL = process.env.CLICKHOUSE_TEST_URL?.trim() || undefined;
export const SERVER_USER = process.env.CLICKHOUSE_TEST_USER?.trim() || 'driftwatch';
export const SERVER_PASSWORD = process.env.CLICKHOUSE_TEST_PASSWORD ?? 'driftwatch-secret';

/** `describe`, or `describe.skip` when no server is configured. */
export const serverSuite = SERVER_URL === undefined ? describe.skip : describe;
