/** The README's tables, read by the tests that pin what they say to the code. */
import { readFileSync } from 'node:fs';

export const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/**
 * The body rows of the README table whose header row starts with `| <firstHeader> |`, as trimmed cells
 * (backticks kept; a `\|` inside a cell stays in it).
 */
export function readmeTable(firstHeader: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`README has no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

/** `foo` → foo; the text of a cell that is one code span. */
export const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');
