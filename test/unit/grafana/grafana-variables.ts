/**
 * What Grafana does to a dashboard variable in a panel's SQL before the
 * ClickHouse plugin sees it: the plugin's applyTemplateVariables calls
 * `getTemplateSrv().replace(rawSql, scopedVars, this.format)`
 * (grafana-clickhouse-datasource src/data/CHDatasource.ts), and Grafana
 * replaces each reference with the variable's value in the format it names.
 *
 * Formats as documented in "Advanced variable format options"
 * (https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/#advanced-variable-format-options)
 * and as implemented by Grafana 12's dashboards (grafana/scenes,
 * packages/scenes/src/variables/interpolation/formatRegistry.ts), where the
 * docs leave a detail out:
 *   raw          the value as is; several joined by ","
 *   regex        each value regex-escaped (@grafana/data escapeRegex: \ ^ $ * + ? . ( ) | [ ] { } /),
 *                one as itself, several as (a|b)
 *   pipe, csv    joined by "|", by ","
 *   json         a single value as is, several as JSON
 *   glob         several as {a,b}
 *   percentencode  RFC 3986 percent-encoding (encodeURIComponent plus ! ' ( ) *) of
 *                the value, or of "{a,b}" for several
 *   singlequote  each in '…', ' escaped as \' — a backslash stays as it is
 *   doublequote  each in "…", " escaped as \" — a backslash stays as it is
 *   sqlstring    each in '…', ' doubled and " escaped as \" (the docs mention only
 *                the first) — a backslash stays as it is
 *   (no format)  the data source's own: the ClickHouse plugin's `format` joins
 *                several as 'a','b' and escapes nothing
 * None of them escapes a backslash for a ClickHouse string literal, where `\`
 * starts an escape sequence (https://clickhouse.com/docs/sql-reference/syntax#string:
 * "you need to escape at least ' and \").
 *
 * "All" with a custom all value inserts that value unformatted ("it is never
 * escaped", Variable selection options › Custom all value), except for the
 * text and percentencode formats (scenes MultiValueVariable.ts, CustomAllValue);
 * without one it stands for every option's value, formatted as any selection.
 *
 * References are found with Grafana's own pattern (scenes
 * variables/constants.ts VARIABLE_REGEX): $name, ${name}, ${name:format},
 * [[name]], [[name:format]]. Grafana leaves a name it does not know, such as
 * the plugin's $__timeFilter, for the data source to expand. The harness
 * refuses what it does not model rather than guessing: a format, a field
 * path, the deprecated [[…]] syntax, and Grafana's global variables.
 */

export interface VariableState {
  /** The selected options' values, or 'All' for the variable's All option. */
  selected: string[] | 'All';
  /** A multi-value variable's value is a list, even of one; a single-value variable's is a string. Default: multi. */
  multi?: boolean;
  /** The variable's custom all value, if it has one. */
  allValue?: string;
  /** Every option's value: what "All" stands for without a custom all value. */
  options?: string[];
}

export type Variables = Record<string, VariableState>;

/** Grafana's VARIABLE_REGEX: $name | [[name(:format)]] | ${name(.fieldPath)(:format)}. */
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/** Grafana's global variables: Grafana would replace them, and the harness does not model them. */
const GRAFANA_GLOBALS = new Set([
  '__from', '__to', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__rate_interval', '__rate_interval_ms',
  '__dashboard', '__org', '__user', '__timezone', '__name', '__url', '__url_time_range', '__all_variables', '__value', '__data',
  '__field', '__series', '__cell', '__sceneObject', '__searchFilter',
]);

const escapeRegex = (s: string): string => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
const encodeStrict = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const quoteEach = (value: string | string[], quote: (v: string) => string): string => [value].flat().map(quote).join(',');

type Format = (value: string | string[]) => string;

const formats: Record<string, Format> = {
  raw: (v) => String(v),
  regex: (v) => (typeof v === 'string' ? escapeRegex(v) : v.length === 1 ? escapeRegex(v[0]!) : `(${v.map(escapeRegex).join('|')})`),
  pipe: (v) => (typeof v === 'string' ? v : v.join('|')),
  csv: (v) => (typeof v === 'string' ? v : v.join(',')),
  json: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  glob: (v) => (typeof v !== 'string' && v.length > 1 ? `{${v.join(',')}}` : String(v)),
  percentencode: (v) => encodeStrict(typeof v === 'string' ? v : `{${v.join(',')}}`),
  singlequote: (v) => quoteEach(v, (s) => `'${s.replace(/'/g, "\\'")}'`),
  doublequote: (v) => quoteEach(v, (s) => `"${s.replace(/"/g, '\\"')}"`),
  sqlstring: (v) => quoteEach(v, (s) => `'${s.replace(/'|"/g, (m) => (m === "'" ? "''" : '\\"'))}'`),
};

/** The ClickHouse plugin's default format (CHDatasource.format): no escaping at all. */
const pluginDefault: Format = (v) => (Array.isArray(v) ? `'${v.join("','")}'` : v);

/** One variable's value in one format, as Grafana interpolates it. */
export function formatVariable(name: string, state: VariableState, format: string | undefined): string {
  const formatter = format === undefined ? pluginDefault : formats[format];
  if (!formatter) throw new Error(`\${${name}:${format}}: format "${format}" is not modelled (modelled: ${Object.keys(formats).join(', ')})`);
  if (state.selected === 'All') {
    if (state.allValue !== undefined) return format === 'percentencode' ? formatter(state.allValue) : state.allValue;
    if (state.options === undefined) throw new Error(`variable ${name}: "All" needs an allValue or the options`);
    return formatter(state.options);
  }
  const multi = state.multi ?? true;
  if (!multi && state.selected.length !== 1) throw new Error(`variable ${name} is single-value: select exactly one value`);
  return formatter(multi ? state.selected : state.selected[0]!);
}

/** The names of the dashboard variables `sql` refers to (Grafana's pattern; names starting with __ are not variables). */
export function variableReferences(sql: string): Array<{ name: string; format: string | undefined; text: string }> {
  const refs: Array<{ name: string; format: string | undefined; text: string }> = [];
  for (const m of sql.matchAll(VARIABLE_REGEX)) {
    const name = (m[1] ?? m[2] ?? m[4])!;
    if (name.startsWith('__') && !GRAFANA_GLOBALS.has(name)) continue;
    refs.push({ name, format: m[3] ?? m[6], text: m[0] });
  }
  return refs;
}

/** Replaces every variable reference of `sql` with its value, in one pass over the dashboard's text, as Grafana does. */
export function interpolateVariables(sql: string, variables: Variables = {}): string {
  return sql.replace(VARIABLE_REGEX, (text, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, fieldPath?: string, bracedFormat?: string) => {
    const name = (plain ?? bracket ?? braced)!;
    if (GRAFANA_GLOBALS.has(name)) throw new Error(`${text}: Grafana's global variable ${name} is not modelled`);
    // Not a variable: a macro of the data source ($__timeFilter …), which Grafana leaves in place.
    if (name.startsWith('__')) return text;
    if (bracket !== undefined) throw new Error(`${text}: the deprecated [[…]] syntax is not modelled; use \${${name}}`);
    if (fieldPath !== undefined) throw new Error(`${text}: field paths are not modelled`);
    const state = variables[name];
    if (!state) throw new Error(`variable \${${name}} has no value in the test context`);
    return formatVariable(name, state, bracedFormat ?? bracketFormat);
  });
}
