/**
 * DRIFTWATCH_INSTANCE_ID becomes part of the Kafka transactional id
 * (`driftwatch-<group>-<id>`), this member's assigner metadata, the
 * `instance_id` of the store's rows and the `instance` label of its metric
 * points, and the audit's actor. 'a b' (or a quote, a slash, a newline) was
 * accepted and carried into all of them; it is refused, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/env-config.js';
import { ConfigError } from '../../../lib/errors.js';

const idOf = (value: string) => loadConfig({ DRIFTWATCH_INSTANCE_ID: value }).live.instanceId;

describe('DRIFTWATCH_INSTANCE_ID', () => {
  it.each(['a b', 'engine"1', "it's", 'a/b', 'a\nb', 'é', 'x'.repeat(250)])('%j is refused, naming the variable', (value) => {
    expect(() => idOf(value)).toThrow(ConfigError);
    expect(() => idOf(value)).toThrow(/^DRIFTWATCH_INSTANCE_ID: expected an instance id \(letters, digits, "\.", "_", "-"; at most 249 characters\)/);
  });

  it.each(['engine-1', 'host.example.com', 'pod_7', 'x'.repeat(249)])('%j is taken as it is', (value) => {
    expect(idOf(value)).toBe(value);
  });

  it('is trimmed', () => {
    expect(idOf('  engine-2 ')).toBe('engine-2');
  });
});
