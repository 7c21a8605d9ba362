import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../lib/errors.js';
import { blankLiterals, runQuery } from '../../../store/open-store.js';
import { formatRows, MAX_TABLE_ROWS } from '../../../store/format-rows.js';
import type { StoreTransport } from '../../../store/transport.js';

/** Records what reaches the store; these checks must stop a statement before it gets there. */
function recordingStore(): StoreTransport & { seen: string[]; restrictToReads(): Promise<void> } {
  const seen: string[] = [];
  return {
    kind: 'embedded',
    seen,
    restrictToReads: async () => void seen.push('<read-only>'),
    command: async () => {},
    insert: async () => {},
    query: async <T>(sql: string) => {
      seen.push(sql);
      return [{ n: 1 }] as T[];
    },
    close: async () => {},
  };
}

describe('runQuery refuses what it would misread', () => {
  it('several statements: their rows would be merged into one table', async () => {
    const t = recordingStore();
    await expect(runQuery(t, 'SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'DW_USAGE', message: expect.stringMatching(/one statement at a time/) });
    await expect(runQuery(t, ';')).rejects.toMatchObject({ code: 'DW_USAGE' });
    expect(t.seen).toEqual([]);
  });

  it('a FORMAT clause: the output is chosen with -f', async () => {
    const t = recordingStore();
    await expect(runQuery(t, 'SELECT 1 FORMAT CSV')).rejects.toMatchObject({ code: 'DW_USAGE', message: expect.stringMatching(/-f\/--format/) });
    expect(t.seen).toEqual([]);
  });

  it('but not a ; or FORMAT inside a literal, a quoted name or a comment, nor a trailing ;', async () => {
    const t = recordingStore();
    await runQuery(t, "SELECT 'a;b' AS x, 'x FORMAT CSV' AS `y;z` /* ; */ -- FORMAT JSON\n;");
    await runQuery(t, "SELECT 'it\\'s; fine'");
    expect(t.seen.filter((q) => q !== '<read-only>')).toHaveLength(2);
  });

  it('blankLiterals keeps positions and blanks every kind of literal and comment', () => {
    const sql = `SELECT 'a;b', "c;d", \`e;f\` -- g;\n/* h; */ 1`;
    const blank = blankLiterals(sql);
    expect(blank).toHaveLength(sql.length);
    expect(blank).not.toContain(';');
    expect(blank.startsWith('SELECT ')).toBe(true);
    expect(blank.trimEnd().endsWith('1')).toBe(true);
  });
});

describe('runQuery is read-only unless told to write', () => {
  it('restricts the transport before the statement reaches it; --write skips that', async () => {
    const t = recordingStore();
    await runQuery(t, 'SELECT 1');
    await runQuery(t, 'SELECT 2', { write: true });
    expect(t.seen).toEqual(['<read-only>', 'SELECT 1', 'SELECT 2']);
  });

  // The embedded engine's readonly = 2 let UNDROP bring a dropped table back, BACKUP write a backup and PARALLEL WITH
  // carry a second statement, and 18.16's let KILL QUERY stop a query: these stop before the store (other writes
  // reach it, and its readonly refuses them: query-read-only.test.ts, server-store.test.ts).
  const refused = [
    'UNDROP TABLE driftwatch.incidents',
    "BACKUP TABLE driftwatch.incidents TO File('/tmp/x')",
    "RESTORE TABLE driftwatch.incidents FROM File('/tmp/x')",
    'KILL MUTATION WHERE 1',
    "KILL QUERY WHERE query_id = 'x'",
    'SYSTEM STOP MERGES',
    '/* a comment first */ (UNDROP TABLE driftwatch.incidents)',
    'SET max_threads = 1 PARALLEL WITH UNDROP TABLE driftwatch.incidents',
  ];
  const reads = [
    'SELECT 1',
    ' with x AS (SELECT 1) SELECT * FROM x',
    'FROM driftwatch.incidents SELECT count()',
    '(SELECT 1) UNION ALL (SELECT 2)',
    '-- why\nSHOW TABLES FROM driftwatch',
    'DESCRIBE TABLE driftwatch.incidents',
    'EXPLAIN SELECT 1',
    'EXISTS TABLE driftwatch.incidents',
    'CHECK TABLE driftwatch.incidents',
    'SET max_threads = 1',
  ];
  it.each([...refused.map((sql) => [sql, true] as const), ...reads.map((sql) => [sql, false] as const)])(
    '%s: refused without --write before it reaches the store = %s',
    async (sql, isRefused) => {
      const t = recordingStore();
      if (isRefused) {
        await expect(runQuery(t, sql)).rejects.toMatchObject({ code: 'DW_USAGE', message: expect.stringMatching(/read-only.*pass --write/) });
        expect(t.seen).toEqual([]);
        await runQuery(t, sql, { write: true });
        expect(t.seen).toEqual([sql]);
      } else {
        await runQuery(t, sql);
        expect(t.seen).toEqual(['<read-only>', sql.trim()]);
      }
    },
  );

  it('refuses to run read-only on a transport that cannot refuse writes', async () => {
    const t: StoreTransport = { ...recordingStore(), restrictToReads: undefined } as unknown as StoreTransport;
    await expect(runQuery(t, 'SELECT 1')).rejects.toMatchObject({ code: 'DW_STORE_FAILED', message: expect.stringMatching(/--write/) });
  });
});

/** A server store logged in as a user whose profile sets `level`, refusing every statement as such a server does. */
function profiledStore(level: number | Error, refusal = 'Code: 164, e.displayText() = DB::Exception: Cannot override setting (output_format_json_quote_64bit_integers) in readonly mode') {
  return {
    kind: 'server' as const,
    user: 'driftwatch_reader',
    profileReadonlyLevel: async () => {
      if (level instanceof Error) throw level;
      return level;
    },
    command: async () => {},
    insert: async () => {},
    query: async <T>(): Promise<T[]> => {
      throw new StoreError(`SELECT 1 on http://127.0.0.1:8123/ failed (HTTP 500): ${refusal}`);
    },
    close: async () => {},
  };
}

describe('runQuery --write as a user whose profile is read-only', () => {
  it('says the user is read-only and that --write needs a user that may write, keeping the server\'s words', async () => {
    for (const level of [1, 2]) {
      await expect(runQuery(profiledStore(level), 'SELECT 1', { write: true })).rejects.toMatchObject({
        code: 'DW_USAGE',
        message: expect.stringMatching(
          new RegExp(`CLICKHOUSE_USER "driftwatch_reader" is read-only \\(its profile sets readonly = ${level}\\).*--write needs a user that may write.*Cannot override setting`),
        ),
      });
    }
  });

  it('leaves other failures, and a READONLY the user\'s own level does not explain, as the server said them', async () => {
    const cases = [
      profiledStore(0, 'Code: 164, e.displayText() = DB::Exception: Cannot insert into table in readonly mode'), // SETTINGS readonly = … of its own
      profiledStore(1, 'Code: 60, e.displayText() = DB::Exception: Table db.t doesn\'t exist.'),
      profiledStore(new StoreError('read-only check failed')),
    ];
    for (const store of cases) await expect(runQuery(store, 'SELECT 1', { write: true })).rejects.toMatchObject({ code: 'DW_STORE_FAILED' });
  });
});

describe('formatRows', () => {
  it('prints a 200 k-row table capped at 10 000 rows (the column widths were a spread that overflowed the stack)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ number: i }));
    const lines = formatRows(rows, 'table').split('\n');
    expect(lines).toHaveLength(MAX_TABLE_ROWS + 4);
    expect(lines.at(-3)).toBe('└' + '─'.repeat(8) + '┘');
    expect(lines.at(-2)).toBe('200000 rows');
    expect(lines.at(-1)).toMatch(/^190000 rows not shown \(the table stops at 10000\); .*LIMIT.*-f jsonl/);
  });

  it('prints every row of a result at the cap, and every row as jsonl', () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ n: i }));
    expect(formatRows(rows, 'table', 3).split('\n').at(-1)).toBe('3 rows');
    expect(formatRows(rows, 'table', 2).split('\n').at(-1)).toMatch(/^1 row not shown/);
    expect(formatRows(rows, 'jsonl', 2).split('\n')).toHaveLength(3);
  });

  // Cells hold event fields (env, artifact, instance, reason) anyone who can produce an event chose: printed raw,
  // an ESC sequence drove the analyst's terminal, a CR overwrote the row, a bidi override reversed what it shows.
  it('shows control characters, line separators and bidi controls in a cell as escapes, never raw', () => {
    const value = 'prod\x1b[31m\r\nforged\t\x00\x7f\x9b2J\u2028\u202eevil\u2066';
    const table = formatRows([{ env: value, labels: { k: '\x1b]0;title\x07\u202e' } }], 'table');
    expect(table).toContain('prod\\x1b[31m\\r\\nforged\\t\\x00\\x7f\\x9b2J\\u2028\\u202eevil\\u2066');
    expect(table).toContain('{"k":"\\u001b]0;title\\u0007\\u202e"}'); // JSON escapes C0 itself, not a bidi override
    expect(table).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(table.split('\n')).toHaveLength(4); // top, the row, bottom, count: the row is one line
  });
});
