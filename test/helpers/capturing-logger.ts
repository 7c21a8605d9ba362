/** A logger whose lines land in `lines` (parsed), for tests that assert on what the engine said. */
import { createLogger, type Logger } from '../../lib/logger.js';

export function capturingLogger<Line extends { msg?: string } = { msg?: string }>(lines: Line[]): Logger {
  return createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } });
}
