import { describe, it, expect } from 'vitest';
import { runCli } from './run-cli.js';

// `schemas register` registers `<topic>-value` per topic option: two options naming one topic would put the alert
// schema (or another input's) under an input's subject. Refused as `run` and `topics create` refuse it, before the
// registry is asked (the address here is never dialled) — not as an incompatible schema that needs "a new topic".
describe('driftwatch schemas register with two topic options naming one topic', () => {
  it('fails with a configuration error naming the option (exit 2), registering nothing', async () => {
    const r = await runCli(['schemas', 'register'], { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1', DRIFTWATCH_TOPIC_ALERTS: 'driftwatch.promotion.v1' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'driftwatch schemas register: DRIFTWATCH_TOPIC_ALERTS: "driftwatch.promotion.v1" is already the topic of DRIFTWATCH_TOPIC_PROMOTION; every topic needs its own name\n',
    );
  });
});
