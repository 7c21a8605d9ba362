/**
 * Variables that look meant for driftwatch but name no option. A misspelt
 * variable is ignored and its option keeps the default, in silence:
 * KAFKA_SSL_CA_FIEL leaves the system CAs, LOG_LEVLE the info level. The CLI
 * logs each as a warning at start-up (cli/runtime.ts).
 *
 * Every unknown DRIFTWATCH_* variable is one (the prefix is ours). Other
 * options' prefixes (KAFKA_, CLICKHOUSE_, SCHEMA_REGISTRY_, LOG_) are shared
 * with other tools (clickhouse-client reads CLICKHOUSE_HOST), so a variable
 * of those is flagged only within a typo's reach (edit distance 2) of an option.
 */
import { closest } from './config-problems.js';
import { configOptions, unknownDriftwatchVariables, type OptionSpec } from './env-config.js';

export interface MisspeltVariable {
  variable: string;
  /** The option it is near, when there is one. */
  suggestion?: string;
}

export function misspeltVariables(env: NodeJS.ProcessEnv): MisspeltVariable[] {
  const known = Object.values(configOptions).map((o: OptionSpec<unknown>) => o.env);
  const prefixes = [...new Set(known.filter((n) => !n.startsWith('DRIFTWATCH_')).map((n) => n.slice(0, n.indexOf('_') + 1)))];
  const nearMisses = Object.keys(env)
    .filter((v) => !known.includes(v) && prefixes.some((prefix) => v.startsWith(prefix)) && closest(v, known) !== undefined)
    .sort();
  const ours = unknownDriftwatchVariables(env);
  return [...ours, ...nearMisses].map((variable) => {
    const suggestion = closest(variable, known);
    return suggestion ? { variable, suggestion } : { variable };
  });
}
