import { describe, expect, it } from 'vitest';
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

  it('refuses to run read-only on a transport that cannot refuse writes', async () => {
    const t: StoreTransport = { ...recordingStore(), restrictToReads: undefined } as unknown as StoreTransport;
    await expect(runQuery(t, 'SELECT 1')).rejects.toMatchObject({ code: 'DW_STORE_FAILED', message: expect.stringMatching(/--write/) });
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
});
