/**
 * Text output of `driftwatch query`: a compact box table like ClickHouse's
 * PrettyCompact (numbers right-aligned, NULL for nulls, nested values as
 * JSON), or JSONEachRow lines for scripts. A cell shows control and bidi
 * characters as escapes (lib/visible-text.ts): it holds event fields.
 */
import { visibleText } from '../lib/visible-text.js';

export type RowsFormat = 'table' | 'jsonl';

/**
 * Rows printed as a table at most. Every shown cell is padded to its column's
 * width, so a table costs several times the rows' own memory; beyond a
 * screenful nobody reads it anyway, and `-f jsonl` prints everything.
 */
export const MAX_TABLE_ROWS = 10_000;

export function formatRows(
  rows: ReadonlyArray<Record<string, unknown>>,
  format: RowsFormat = 'table',
  maxTableRows: number = MAX_TABLE_ROWS,
): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n');
  if (rows.length === 0) return '0 rows';
  const shown = rows.length > maxTableRows ? rows.slice(0, maxTableRows) : rows;
  const lines = tableLines(shown, columnsOf(shown));
  lines.push(countOf(rows.length));
  if (shown.length < rows.length) {
    lines.push(
      `${countOf(rows.length - shown.length)} not shown (the table stops at ${maxTableRows}); ` +
        'narrow the query with LIMIT, or use -f jsonl to print them all',
    );
  }
  return lines.join('\n');
}

function countOf(n: number): string {
  return `${n} ${n === 1 ? 'row' : 'rows'}`;
}

/** Column names in order of first appearance (rows may differ in their keys). */
function columnsOf(rows: ReadonlyArray<Record<string, unknown>>): string[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const c of Object.keys(r)) {
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
    }
  }
  return columns;
}

/** The box table of `rows`: top border, one line per row, bottom border. */
function tableLines(rows: ReadonlyArray<Record<string, unknown>>, columns: string[]): string[] {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const numeric = columns.map((c) => rows.every((r) => r[c] == null || typeof r[c] === 'number'));
  // A loop, not Math.max(...spread): spreading 200 k cells overflows the call stack.
  const widths = columns.map((c, i) => {
    let w = c.length;
    for (const row of cells) if (row[i]!.length > w) w = row[i]!.length;
    return w;
  });
  const top = '┌' + columns.map((c, i) => `─${c}─`.padEnd(widths[i]! + 2, '─')).join('┬') + '┐';
  const body = cells.map(
    (row) => '│' + row.map((v, i) => ` ${numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)} `).join('│') + '│',
  );
  const bottom = '└' + widths.map((w) => '─'.repeat(w + 2)).join('┴') + '┘';
  return [top, ...body, bottom];
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return visibleText(v);
  if (typeof v === 'object') return visibleText(JSON.stringify(v));
  return String(v);
}
