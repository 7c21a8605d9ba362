import { describe, it, expect } from 'vitest';
import { runCli } from './run-cli.js';

// Live mode tells an input topic's event type by its name: two options naming one topic must stop `run` before it
// connects anywhere (the broker address here is never dialled).
describe('driftwatch run with two topic options naming one topic', () => {
  it('fails with a configuration error naming the option', async () => {
    const r = await runCli(['run'], { KAFKA_BROKERS: '127.0.0.1:1', DRIFTWATCH_TOPIC_INDEX: 'driftwatch.hydration.v1', DRIFTWATCH_METRICS_PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'driftwatch run: DRIFTWATCH_TOPIC_INDEX: "driftwatch.hydration.v1" is already the topic of DRIFTWATCH_TOPIC_HYDRATION; every topic needs its own name\n',
    );
  });
});
