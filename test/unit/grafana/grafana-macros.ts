/**
 * A small stand-in for what Grafana does to a panel's SQL before ClickHouse
 * sees it, so the dashboards' queries can run on the embedded engine:
 *
 * 1. Grafana interpolates dashboard variables. Only the forms the dashboards
 *    use are supported: `${name:regex}` (values regex-escaped and joined as
 *    `(a|b)`; "All" becomes the variable's `allValue`, unescaped) and
 *    `${name:sqlstring}` (each value in single quotes, `'` doubled, joined
 *    with commas).
 * 2. The ClickHouse plugin (grafana-clickhouse-datasource 4.x,
 *    pkg/macros/macros.go) expands its macros, with these documented outputs:
 *      $__timeFilter(c)   c >= toDateTime(<from s>) AND c <= toDateTime(<to s>)
 *      $__fromTime        toDateTime(<from s>)
 *      $__toTime          toDateTime(<to s>)
 *      $__timeInterval(c) toStartOfInterval(toDateTime(c), INTERVAL <n> second)
 *      $__interval_s      <n>
 *    where seconds are truncated and n = max(1, whole seconds of the interval).
 *
 * Any other `$__macro` or `$variable` left in the text is an error, so a
 * dashboard cannot use a macro this test does not model.
 */

export interface GrafanaQueryContext {
  from: Date;
  to: Date;
  /** The query interval Grafana derived for the panel, in ms. */
  intervalMs: number;
  /** Selected values per variable; the string 'All' selects every value. */
  variables?: Record<string, { selected: string[] | 'All'; allValue?: string }>;
}

const supportedMacros = ['timeFilter', 'fromTime', 'toTime', 'timeInterval', 'interval_s'] as const;
const macrosWithArgs = new Set(['timeFilter', 'timeInterval']);

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const escapeRegex = (s: string): string => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function interpolateVariables(sql: string, ctx: GrafanaQueryContext): string {
  return sql.replace(/\$\{(\w+):(regex|sqlstring)\}/g, (_m, name: string, format: 'regex' | 'sqlstring') => {
    const v = ctx.variables?.[name];
    if (!v) throw new Error(`variable \${${name}} has no value in the test context`);
    if (v.selected === 'All') {
      if (v.allValue === undefined) throw new Error(`variable ${name}: "All" needs an allValue`);
      return v.allValue;
    }
    if (format === 'sqlstring') return v.selected.map(sqlString).join(',');
    const escaped = v.selected.map(escapeRegex);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** Splits `a, f(b, c)` on top-level commas, as sqlds does for macro arguments. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += ch;
  }
  args.push(current.trim());
  return args;
}

function expandMacro(name: string, args: string[], ctx: GrafanaQueryContext): string {
  const intervalS = Math.max(1, Math.trunc(ctx.intervalMs / 1000));
  const oneArg = (): string => {
    if (args.length !== 1 || args[0] === '') throw new Error(`$__${name} expects 1 argument, got ${args.length}`);
    return args[0]!;
  };
  switch (name) {
    case 'timeFilter': {
      const c = oneArg();
      return `${c} >= toDateTime(${seconds(ctx.from)}) AND ${c} <= toDateTime(${seconds(ctx.to)})`;
    }
    case 'fromTime':
      return `toDateTime(${seconds(ctx.from)})`;
    case 'toTime':
      return `toDateTime(${seconds(ctx.to)})`;
    case 'timeInterval':
      return `toStartOfInterval(toDateTime(${oneArg()}), INTERVAL ${intervalS} second)`;
    case 'interval_s':
      return String(intervalS);
    default:
      throw new Error(`unsupported macro $__${name} (supported: ${supportedMacros.join(', ')})`);
  }
}

/** Expands variables then macros; throws on anything it does not model. */
export function expandGrafanaSql(sql: string, ctx: GrafanaQueryContext): string {
  const text = interpolateVariables(sql, ctx);
  let out = '';
  let i = 0;
  const macro = /\$__(\w+)/g;
  for (let m = macro.exec(text); m !== null; m = macro.exec(text)) {
    const name = m[1]!;
    out += text.slice(i, m.index);
    let end = m.index + m[0].length;
    let args: string[] = [];
    if (macrosWithArgs.has(name)) {
      if (text[end] !== '(') throw new Error(`$__${name} needs (column)`);
      let depth = 0;
      let close = end;
      for (; close < text.length; close++) {
        if (text[close] === '(') depth++;
        if (text[close] === ')' && --depth === 0) break;
      }
      if (depth !== 0) throw new Error(`$__${name}: unbalanced parentheses`);
      args = splitArgs(text.slice(end + 1, close));
      end = close + 1;
    }
    out += expandMacro(name, args, ctx);
    i = end;
    macro.lastIndex = end;
  }
  out += text.slice(i);
  const leftover = /\$\{?\w+/.exec(out);
  if (leftover) throw new Error(`unexpanded variable or macro "${leftover[0]}" in: ${out}`);
  return out;
}

/** Parses Grafana's interval strings ("30s", "5m", "1h") to ms. */
export function parseGrafanaInterval(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`bad interval "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
