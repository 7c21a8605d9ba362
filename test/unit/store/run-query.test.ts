import { describe, expect, it } from 'vitest';
import { blankLiterals, runQuery } from '../../../store/open-store.js';
import { formatRows } from '../../../store/format-rows.js';
import type { StoreTransport } from '../../../store/transport.js';

/** Records what reaches the store; these checks must stop a statement before it gets there. */
function recordingStore(): StoreTransport & { seen: string[] } {
  const seen: string[] = [];
  return {
    kind: 'embedded',
    seen,
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
    expect(t.seen).toHaveLength(2);
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

describe('formatRows', () => {
  it('prints a 200 k-row table (the column widths were a spread that overflowed the stack)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ({ number: i }));
    const text = formatRows(rows, 'table');
    expect(text.endsWith('200000 rows')).toBe(true);
  });
});
