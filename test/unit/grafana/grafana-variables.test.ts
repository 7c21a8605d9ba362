import { describe, it, expect } from 'vitest';
import { formatVariable, interpolateVariables, variableReferences, type VariableState } from './grafana-variables.js';

const servers: VariableState = { selected: ['test1', 'test2'] };
const fmt = (format: string | undefined, state: VariableState = servers) => formatVariable('servers', state, format);

describe('Grafana variable formats (grafana-variables.ts)', () => {
  // The docs print json with a space after the comma; Grafana's code is JSON.stringify, without one.
  it('gives the documented results for servers = [test1, test2] ("Advanced variable format options")', () => {
    expect(fmt('csv')).toBe('test1,test2');
    expect(fmt('doublequote')).toBe('"test1","test2"');
    expect(fmt('glob')).toBe('{test1,test2}');
    expect(fmt('json')).toBe('["test1","test2"]');
    expect(fmt('pipe')).toBe('test1|test2');
    expect(fmt('raw')).toBe('test1,test2');
    expect(fmt('regex')).toBe('(test1|test2)');
    expect(fmt('singlequote')).toBe("'test1','test2'");
    expect(fmt('sqlstring', { selected: ["test'1", 'test2'] })).toBe("'test''1','test2'");
    expect(fmt('percentencode', { selected: ['foo()bar BAZ', 'test2'] })).toBe('%7Bfoo%28%29bar%20BAZ%2Ctest2%7D');
  });

  it('escapes as Grafana does, and no more: no format escapes a backslash for a ClickHouse string literal', () => {
    const nasty = { selected: ['a\\b', "it's", 'x"y', 'q.a|(x)$'] };
    expect(fmt('sqlstring', nasty)).toBe(String.raw`'a\b','it''s','x\"y','q.a|(x)$'`);
    expect(fmt('singlequote', nasty)).toBe(String.raw`'a\b','it\'s','x"y','q.a|(x)$'`);
    expect(fmt('doublequote', nasty)).toBe(String.raw`"a\b","it's","x\"y","q.a|(x)$"`);
    expect(fmt('regex', nasty)).toBe(String.raw`(a\\b|it's|x"y|q\.a\|\(x\)\$)`);
    // The data source's default: quoted, nothing escaped.
    expect(fmt(undefined, nasty)).toBe(String.raw`'a\b','it's','x"y','q.a|(x)$'`);
  });

  it('formats one value of a multi-value variable as a list of one, of a single-value variable as a string', () => {
    expect(fmt('regex', { selected: ['a.b'] })).toBe('a\\.b');
    expect(fmt('percentencode', { selected: ['a b'] })).toBe('%7Ba%20b%7D');
    expect(fmt('percentencode', { selected: ['a b'], multi: false })).toBe('a%20b');
    expect(fmt('json', { selected: ['a'], multi: false })).toBe('a');
    expect(() => fmt('raw', { selected: ['a', 'b'], multi: false })).toThrow(/single-value/);
  });

  it('inserts a custom all value unformatted (percentencode aside); without one, All is every option', () => {
    const all = { selected: 'All' as const, allValue: ".*'" };
    for (const f of ['regex', 'sqlstring', 'csv', undefined]) expect(fmt(f, all), String(f)).toBe(".*'");
    expect(fmt('percentencode', all)).toBe('.%2A%27');
    expect(fmt('sqlstring', { selected: 'All', options: ['a', "b'"] })).toBe("'a','b'''");
    expect(() => fmt('regex', { selected: 'All' })).toThrow(/needs an allValue or the options/);
  });

  it('interpolates $name, ${name} and ${name:format} in one pass, leaving the plugin macros and values alone', () => {
    const vars = { env: { selected: ['$__toTime', 'b'] }, w: { selected: ['1h'], multi: false } };
    expect(interpolateVariables('a = $w AND ${w} IN (${env:sqlstring}) AND $__timeFilter(t)', vars)).toBe(
      "a = 1h AND 1h IN ('$__toTime','b') AND $__timeFilter(t)",
    );
    expect(variableReferences('$w ${env:regex} $__toTime').map((r) => [r.name, r.format])).toEqual([['w', undefined], ['env', 'regex']]);
  });

  it('refuses what it does not model', () => {
    expect(() => interpolateVariables('${w:lucene}', { w: servers })).toThrow(/format "lucene" is not modelled/);
    expect(() => interpolateVariables('[[w]]', { w: servers })).toThrow(/deprecated/);
    expect(() => interpolateVariables('${w.x}', { w: servers })).toThrow(/field paths/);
    expect(() => interpolateVariables('$__from', {})).toThrow(/global variable __from/);
    expect(() => interpolateVariables('$cluster', {})).toThrow(/no value/);
  });
});
