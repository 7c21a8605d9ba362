/**
 * sql/README.md "Retention": how long an analyst can count on each table's
 * rows is what the migrations' TTLs keep (TABLE_RETENTION, itself checked
 * against the migrated tables by storage-tiering.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { TABLE_RETENTION } from '../../../store/storage-tiering.js';

const sqlReadme = readFileSync(new URL('../../../sql/README.md', import.meta.url), 'utf8');
const DAY = 86_400_000;

describe('sql/README retention table', () => {
  const lines = sqlReadme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| tables | kept |'));
  const rows = lines.slice(start + 2, lines.findIndex((l, i) => i > start && !l.startsWith('|')));

  it('names every table with the time its TTL keeps it', () => {
    expect(start).toBeGreaterThan(0);
    const documented = new Map<string, number>();
    for (const row of rows) {
      const [tables, kept] = row.slice(1, -1).split('|').map((c) => c.trim());
      const m = /^(\d+) (year|day)s?$/.exec(kept!);
      expect(m, `"${kept}"`).not.toBeNull();
      const ms = Number(m![1]) * (m![2] === 'year' ? 365 * DAY : DAY);
      for (const [, table] of tables!.matchAll(/`([a-z_]+)`/g)) documented.set(table!, ms);
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(TABLE_RETENTION.map((t) => [t.table, t.keepMs])));
  });
});
