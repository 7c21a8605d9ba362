/** The ConfigError `run` throws; fails the test when it throws nothing or something else. */
import { ConfigError } from '../../lib/errors.js';

export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
