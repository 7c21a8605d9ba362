/**
 * A small stand-in for what Grafana does to a panel's SQL before ClickHouse
 * sees it, so the dashboards' queries can run on the embedded engine:
 *
 * 1. Grafana interpolates dashboard variables, in the format each reference
 *    names (grafana-variables.ts).
 * 2. The ClickHouse plugin (grafana-clickhouse-datasource 4.x from 4.0.3 on —
 *    4.0.0 to 4.0.2 gave $__timeFilter, $__fromTime and $__toTime DateTime64(3)
 *    bounds, its CHANGELOG says; the compose stack pins 4.20.0 —
 *    pkg/macros/macros.go) expands its macros, with these documented outputs:
 *      $__timeFilter(c)   c >= toDateTime(<from s>) AND c <= toDateTime(<to s>)
 *      $__fromTime        toDateTime(<from s>)
 *      $__toTime          toDateTime(<to s>)
 *      $__timeInterval(c) toStartOfInterval(toDateTime(c), INTERVAL <n> second)
 *      $__interval_s      <n>
 *    where seconds are truncated and n = max(1, whole seconds of the interval).
 *    It runs on the interpolated text and matches macros by pattern (sqlds),
 *    string literals included: a variable's value holding "$__toTime" would
 *    be expanded too, and is here.
 *
 * A macro the dashboard's own text uses that this file does not model is an
 * error, and so is a variable without a value in the context.
 */
import { interpolateVariables, type Variables } from './grafana-variables.js';

export interface GrafanaQueryContext {
  from: Date;
  to: Date;
  /** The query interval Grafana derived for the panel, in ms. */
  intervalMs: number;
  /** Each variable's selection (grafana-variables.ts). */
  variables?: Variables;
}

const supportedMacros = ['timeFilter', 'fromTime', 'toTime', 'timeInterval', 'interval_s'] as const;
const macrosWithArgs = new Set(['timeFilter', 'timeInterval']);

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

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
  for (const m of sql.matchAll(/\$__(\w+)/g)) {
    if (!(supportedMacros as readonly string[]).includes(m[1]!)) throw new Error(`unsupported macro $__${m[1]} (supported: ${supportedMacros.join(', ')})`);
  }
  const text = interpolateVariables(sql, ctx.variables);
  let out = '';
  let i = 0;
  // Only the modelled macros: one a variable's value brings in and the plugin does not know stays as it is.
  const macro = new RegExp(`\\$__(${supportedMacros.join('|')})\\b`, 'g');
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
  return out + text.slice(i);
}

/** Parses Grafana's interval strings ("30s", "5m", "1h") to ms. */
export function parseGrafanaInterval(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`bad interval "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
