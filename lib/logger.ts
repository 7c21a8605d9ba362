import { pino, destination, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured logs (pino). Secrets never reach a log line: known secret-bearing
 * keys are redacted wherever they appear, and URLs are logged through
 * `redactUrl`. Child loggers carry correlation ids (`correlationId`,
 * `incidentId`, `runId`) so one incident can be followed across components.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'driftwatch',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization', 'sasl', '*.sasl'],
        censor: '[redacted]',
      },
    },
    options.destination ?? destination(2),
  );
}

/** Removes user:password from a URL before it is logged or shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    return u.toString();
  } catch {
    return url;
  }
}

/** A logger that discards everything; for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
