import { describe, it, expect } from 'vitest';
import { expandGrafanaSql, parseGrafanaInterval } from './grafana-macros.js';

// 2026-11-27T10:00:00.750Z → 1795773600 s (truncated), 12:00:00Z → 1795780800 s.
const ctx = {
  from: new Date('2026-11-27T10:00:00.750Z'),
  to: new Date('2026-11-27T12:00:00.000Z'),
  intervalMs: 300_000,
  variables: { env: { selected: 'All' as const, allValue: '.*' } },
};

describe('expandGrafanaSql (grafana-clickhouse-datasource macros)', () => {
  it('expands $__timeFilter, $__fromTime and $__toTime to whole-second DateTimes', () => {
    expect(expandGrafanaSql('WHERE $__timeFilter(occurred_at) AND x < $__toTime OR y > $__fromTime', ctx)).toBe(
      'WHERE occurred_at >= toDateTime(1795773600) AND occurred_at <= toDateTime(1795780800) AND x < toDateTime(1795780800) OR y > toDateTime(1795773600)',
    );
  });

  it('expands $__timeInterval and $__interval_s with the interval in whole seconds, at least 1', () => {
    expect(expandGrafanaSql('SELECT $__timeInterval(at) AS time, count() / $__interval_s', ctx)).toBe(
      'SELECT toStartOfInterval(toDateTime(at), INTERVAL 300 second) AS time, count() / 300',
    );
    expect(expandGrafanaSql('$__interval_s', { ...ctx, intervalMs: 200 })).toBe('1');
  });

  it('keeps nested parentheses inside a macro argument', () => {
    expect(expandGrafanaSql('$__timeInterval(coalesce(a, b))', ctx)).toBe(
      'toStartOfInterval(toDateTime(coalesce(a, b)), INTERVAL 300 second)',
    );
  });

  it('interpolates variables before expanding macros (grafana-variables.ts has the formats)', () => {
    const sql = "match(hex(env), '^(${env:regex})$') AND $__timeFilter(at)";
    expect(expandGrafanaSql(sql, ctx)).toBe("match(hex(env), '^(.*)$') AND at >= toDateTime(1795773600) AND at <= toDateTime(1795780800)");
    const two = { ...ctx, variables: { env: { selected: ['7072', '7161'] } } };
    expect(expandGrafanaSql(sql, two)).toMatch(/^match\(hex\(env\), '\^\(\(7072\|7161\)\)\$'\)/);
  });

  it("expands a modelled macro a variable's value brings in, as the plugin would, and leaves any other", () => {
    const vars = { ...ctx, variables: { env: { selected: ['$__toTime', '$__other'] } } };
    expect(expandGrafanaSql('x IN (${env:sqlstring})', vars)).toBe("x IN ('toDateTime(1795780800)','$__other')");
  });

  it('rejects macros and variables it does not model', () => {
    expect(() => expandGrafanaSql('WHERE $__timeFilter_ms(at)', ctx)).toThrow(/unsupported macro \$__timeFilter_ms/);
    expect(() => expandGrafanaSql('WHERE env = $cluster', ctx)).toThrow(/variable \$\{cluster\} has no value/);
    expect(() => expandGrafanaSql('WHERE $__timeFilter(a, b)', ctx)).toThrow(/expects 1 argument/);
    expect(() => expandGrafanaSql('${cluster:regex}', ctx)).toThrow(/no value/);
  });

  it('parses Grafana interval strings', () => {
    expect(parseGrafanaInterval('5m')).toBe(300_000);
    expect(parseGrafanaInterval('30s')).toBe(30_000);
    expect(() => parseGrafanaInterval('5 minutes')).toThrow(/bad interval/);
  });
});
