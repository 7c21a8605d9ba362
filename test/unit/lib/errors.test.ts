import { describe, it, expect } from 'vitest';
import { ConfigError, DriftwatchError, DuplicateInstanceError, SchemaIncompatibleError, ValidationError, errorClasses } from '../../../lib/errors.js';

type AnyErrorClass = (typeof errorClasses)[number];

/** Builds an instance of any coded error class, whatever its constructor's shape. */
function make(cls: AnyErrorClass, cause?: unknown): DriftwatchError {
  if (cls === ConfigError) return new ConfigError('SOME_OPTION', 'expected x, got y', { cause });
  if (cls === ValidationError) return new ValidationError('field', 'is required');
  if (cls === SchemaIncompatibleError) return new SchemaIncompatibleError('topic-value', 'incompatible', { cause });
  if (cls === DuplicateInstanceError) return new DuplicateInstanceError('host-1', 'driftwatch', 'its producer was fenced', { cause });
  return new (cls as typeof DriftwatchError)('something failed', { cause, canRetry: true });
}

describe('coded errors', () => {
  it.each(errorClasses.map((cls) => [cls.name, cls] as const))('%s instances carry their own static code', (_name, cls) => {
    const err = make(cls);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(DriftwatchError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(cls.code);
    expect(err.code).toMatch(/^DW_[A-Z_]+$/);
    expect(err.name).toBe(cls.name);
  });

  it('gives every class a distinct code (a subclass that forgot its own would inherit its parent\'s)', () => {
    const codes = errorClasses.map((cls) => cls.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('toJSON keeps code, canRetry and the cause through JSON serialisation', () => {
    const cause = new TypeError('socket hang up');
    for (const cls of errorClasses) {
      const err = make(cls, cause);
      const json = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
      expect(json.code).toBe(cls.code);
      expect(json.name).toBe(cls.name);
      expect(json.message).toBe(err.message);
      expect(json.canRetry).toBe(err.canRetry);
      if (cls !== ValidationError && cause !== undefined) expect(json.cause).toEqual({ name: 'TypeError', message: 'socket hang up' });
    }
    const plain = new DriftwatchError('x', { cause: { status: 503 }, canRetry: true }).toJSON();
    expect(plain).toMatchObject({ code: 'DW_ERROR', canRetry: true, cause: { status: 503 } });
  });

  it('defaults canRetry to false and prefixes option and path names', () => {
    expect(new DriftwatchError('x').canRetry).toBe(false);
    const cfg = new ConfigError('DRIFTWATCH_WINDOW', 'expected a duration such as 30s, 5m or 1h, got "abc"');
    expect(cfg.message).toBe('DRIFTWATCH_WINDOW: expected a duration such as 30s, 5m or 1h, got "abc"');
    expect(cfg.option).toBe('DRIFTWATCH_WINDOW');
    expect(new ValidationError('gate.result', 'expected one of passed, failed').message).toBe('gate.result: expected one of passed, failed');
    expect(new ValidationError('', 'expected a JSON object').message).toBe('expected a JSON object');
  });
});
