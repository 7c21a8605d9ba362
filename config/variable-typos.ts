/**
 * Variables that look meant for driftwatch but name no option. A misspelt
 * variable is ignored and its option keeps the default, in silence:
 * KAFKA_SSL_CA_FIEL leaves the system CAs, LOG_LEVLE the info level. The CLI
 * logs each as a warning at start-up (cli/runtime.ts).
 *
 * Every unknown DRIFTWATCH_* variable is one (the prefix is ours). Other
 * options' prefixes (KAFKA_, CLICKHOUSE_, SCHEMA_REGISTRY_, LOG_) are shared
 * with other tools (clickhouse-client reads CLICKHOUSE_HOST), so a variable
 * of those is flagged only within a typo's reach of an option: two edits, or
 * one when the option's name past its prefix is short (SSL, URL, LEVEL), where
 * two edits reach other tools' real names (Heroku's KAFKA_URL, the
 * clickhouse-server image's CLICKHOUSE_UID). A swap of two letters is one edit.
 */
import { closest, editDistance } from './config-problems.js';
import { configOptions, unknownDriftwatchVariables, type OptionSpec } from './env-config.js';

export interface MisspeltVariable {
  variable: string;
  /** The option it is near, when there is one. */
  suggestion?: string;
}

export function misspeltVariables(env: NodeJS.ProcessEnv): MisspeltVariable[] {
  const known = Object.values(configOptions).map((o: OptionSpec<unknown>) => o.env);
  const prefixOf = (name: string) => name.slice(0, name.indexOf('_') + 1);
  const prefixes = [...new Set(known.filter((n) => !n.startsWith('DRIFTWATCH_')).map(prefixOf))];
  const typoOf = (v: string): boolean => {
    const option = closest(v, known);
    if (option === undefined) return false;
    const ownPart = option.replace(/^(SCHEMA_REGISTRY_|[A-Z]+_)/, ''); // SSL of KAFKA_SSL, URL of SCHEMA_REGISTRY_URL
    const reach = ownPart.length > 5 ? 2 : 1;
    return editDistance(v.toLowerCase(), option.toLowerCase()) <= reach;
  };
  const nearMisses = Object.keys(env)
    .filter((v) => !known.includes(v) && prefixes.some((prefix) => v.startsWith(prefix)) && typoOf(v))
    .sort();
  const ours = unknownDriftwatchVariables(env);
  return [...ours, ...nearMisses].map((variable) => {
    const suggestion = closest(variable, known);
    return suggestion ? { variable, suggestion } : { variable };
  });
}
