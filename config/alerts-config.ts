/**
 * Loads and validates alerts.yaml (SPEC §6) and builds the severity
 * classifier. Validation happens once, at start-up: every problem is reported
 * with the file and the path of the bad entry (`alerts.yaml:
 * rules.gate_failure_rate_high.threshold: expected a number between 0 and 1,
 * got 5`), and unknown rules or keys are rejected so a typo never silently
 * falls back to a default. The defaults live in config/alerts.default.yaml;
 * a user file is merged over them entry by entry.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../lib/errors.js';
import { severityRank } from '../schemas/alert-event.js';
import { ruleNames, type AlertsConfig, type SeverityClassifier } from './alert-rules.js';
import { validateAlertsDocument } from './alerts-validation.js';

export { mttrWindows, ruleLabels, ruleParameters } from './alerts-validation.js';

/**
 * Reads alerts.yaml at `path`, or returns the built-in defaults when no path is given.
 *
 * `option` is where the path came from (`DRIFTWATCH_ALERTS_FILE` or the
 * `--alerts` flag: cli/runtime.ts says which), named by the error when the
 * file cannot be read, is not YAML or holds an invalid entry.
 */
export function loadAlertsConfig(path?: string, option?: string): AlertsConfig {
  if (path === undefined || path === '') return defaultAlertsConfig();
  let text: string;
  try {
    text = readAlertsFile(path);
  } catch (err) {
    throw new ConfigError(option ?? 'alerts file', `${path}: cannot read the alerts file (${(err as Error).message}); check the path`, {
      cause: err,
    });
  }
  try {
    return parseAlertsConfig(text, path);
  } catch (err) {
    // The entry's path in the file says what is wrong; the option says where that file came from, as every other
    // configuration error names its option: `DRIFTWATCH_ALERTS_FILE: /etc/alerts.yaml: rules.x.threshold: …`.
    if (option === undefined || !(err instanceof ConfigError)) throw err;
    throw new ConfigError(option, err.message, { cause: err });
  }
}

/** More than any alerts.yaml needs (the defaults take 4 KB): reading stops there. */
export const MAX_ALERTS_FILE_BYTES = 1 << 20;

/**
 * The file's text, refusing what is not a file of rules: a directory, a
 * device (`/dev/zero` would be read until memory ran out), or more than
 * MAX_ALERTS_FILE_BYTES. A pipe (`<(generate-rules)`) is read, bounded too.
 */
function readAlertsFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error('it is a directory');
    if (!stat.isFile() && !stat.isFIFO()) throw new Error('it is not a regular file (a device or a socket)');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_ALERTS_FILE_BYTES) throw new Error(`it is larger than ${MAX_ALERTS_FILE_BYTES} bytes, far more than any set of alert rules`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Parses and validates alerts.yaml text; whatever it leaves out keeps the default (or `base`). */
export function parseAlertsConfig(text: string, sourceName: string, base: AlertsConfig = defaultAlertsConfig()): AlertsConfig {
  return parseWith(text, sourceName, base);
}

let cachedDefaults: AlertsConfig | undefined;

/** The built-in defaults (config/alerts.default.yaml); a fresh copy on every call. */
export function defaultAlertsConfig(): AlertsConfig {
  if (!cachedDefaults) {
    const file = defaultsFile();
    // The defaults file must be complete on its own: no base to merge over.
    cachedDefaults = parseWith(readFileSync(file, 'utf8'), fileURLToPath(file), undefined);
  }
  return structuredClone(cachedDefaults);
}

/** Next to this module from source; from dist/config/ the yaml is not copied by tsc, so fall back to the source tree. */
function defaultsFile(): URL {
  const beside = new URL('./alerts.default.yaml', import.meta.url);
  if (existsSync(beside)) return beside;
  return new URL('../../config/alerts.default.yaml', import.meta.url);
}

/** Severity of an alert: the rule's severity, then each matching override in order (`severity` sets, `minSeverity` raises). */
export function createSeverityClassifier(config: AlertsConfig): SeverityClassifier {
  const compiled = new Map(
    ruleNames.map((rule) => [
      rule,
      config.rules[rule].overrides.map((o) => ({
        override: o,
        matchers: Object.entries(o.match).map(([label, pattern]) => [label, globToRegExp(pattern)] as const),
      })),
    ]),
  );
  return (rule, labels) => {
    let severity = config.rules[rule].severity;
    for (const { override, matchers } of compiled.get(rule) ?? []) {
      const matches = matchers.every(([label, re]) => Object.hasOwn(labels, label) && re.test(labels[label]!));
      if (!matches) continue;
      if (override.severity) severity = override.severity;
      if (override.minSeverity && severityRank[override.minSeverity] > severityRank[severity]) severity = override.minSeverity;
    }
    return severity;
  };
}

/** Whole-string glob match where `*` matches any run of characters (including none); everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  return globToRegExp(pattern).test(value);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

function parseWith(text: string, source: string, base: AlertsConfig | undefined): AlertsConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(source, `not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return validateAlertsDocument(doc, source, base);
}
