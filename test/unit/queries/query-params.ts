/**
 * Binds ClickHouse query parameters (`{name:Type}`) for engines that do not
 * take them out of band (the chDB transport runs plain SQL). Each placeholder
 * becomes `CAST('<value>', '<Type>')`: the value is parsed as the declared
 * type, as a server does with `--param_name=value`.
 */
const placeholder = /\{(\w+):([^}]+)\}/g;

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The parameters a query declares, name → type (a name used twice must keep its type). */
export function queryParams(sql: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of sql.matchAll(placeholder)) {
    const [, name, type] = m as unknown as [string, string, string];
    const seen = found.get(name);
    if (seen !== undefined && seen !== type) throw new Error(`parameter ${name} declared as ${seen} and ${type}`);
    found.set(name, type);
  }
  return found;
}

/** Replaces every placeholder; throws when a value is missing or one is given that the query does not use. */
export function bindQueryParams(sql: string, values: Record<string, string | number>): string {
  const declared = queryParams(sql);
  for (const name of Object.keys(values)) if (!declared.has(name)) throw new Error(`query has no parameter ${name}`);
  return sql.replace(placeholder, (_m, name: string, type: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for parameter ${name}:${type}`);
    return `CAST(${quote(String(v))}, ${quote(type)})`;
  });
}
