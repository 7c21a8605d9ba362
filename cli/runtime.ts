/**
 * What every command needs before it does anything: the validated
 * configuration (environment + alerts.yaml), checked once, and a logger at the
 * configured level. Bad configuration fails here, before any work starts.
 */
import { loadConfig, describeConfig, type DriftwatchConfig } from '../config/env-config.js';
import { misspeltVariables } from '../config/variable-typos.js';
import { loadAlertsConfig } from '../config/alerts-config.js';
import { checkRateRuleWindows } from '../config/rate-rule-windows.js';
import { kafkaSecurityWarnings } from '../config/kafka-security.js';
import type { AlertsConfig } from '../config/alert-rules.js';
import type { Logger } from '../lib/logger.js';
import type { CommandContext } from './command.js';
import { uniqueId } from '../lib/ids.js';

export interface Runtime {
  config: DriftwatchConfig;
  alerts: AlertsConfig;
  logger: Logger;
  runId: string;
}

export function loadRuntime(ctx: CommandContext, overrides: { alertsFile?: string } = {}): Runtime {
  const config = loadConfig(ctx.env);
  // The error for an unreadable file names the option that gave its path.
  const [option, file] = overrides.alertsFile !== undefined ? ['--alerts', overrides.alertsFile] : ['DRIFTWATCH_ALERTS_FILE', config.alertsFile ?? undefined];
  const alerts = loadAlertsConfig(file, option);
  // The rate rules' windows against DRIFTWATCH_WINDOW: with the built-in rules, that variable is what to change.
  const fromFile = file !== undefined && file !== '';
  checkRateRuleWindows(alerts, config.processing.windowMs, fromFile ? option : 'DRIFTWATCH_WINDOW', fromFile ? file : 'alerts.yaml (built-in defaults)', !fromFile);
  const runId = ctx.runId ?? uniqueId('run');
  // A child either way: the level set below must not change the caller's logger.
  const logger = ctx.runId === undefined ? ctx.logger.child({ runId }) : ctx.logger.child({});
  logger.level = config.logLevel;
  for (const { variable, suggestion } of misspeltVariables(ctx.env)) {
    logger.warn({ variable, suggestion }, `unknown variable ${variable} is ignored (typo?${suggestion ? ` did you mean ${suggestion}?` : ''})`);
  }
  if (config.kafka.brokers.length > 0) for (const warning of kafkaSecurityWarnings(config.kafka.security)) logger.warn(warning);
  logger.debug({ config: describeConfig(config) }, 'configuration loaded');
  return { config, alerts, logger, runId };
}
