/**
 * A live engine replaced after a rebalance (or a failed commit) is dropped
 * without being ended: `dispose` must let go of the store writer, which
 * outlives every engine. The writer's failure listener held each replaced
 * engine — its whole keyed state — for as long as the process ran.
 */
import { describe, expect, it } from 'vitest';
import { createPipeline } from '../../../engine/pipeline.js';
import { defaultProcessingOptions } from '../../../config/processing-options.js';
import { defaultAlertsConfig } from '../../../config/alerts-config.js';
import type { StoreWriter } from '../../../store/store-writer.js';
import { hydration, NOW } from '../../helpers/stand-in-runner.js';

/** The part of a StoreWriter a pipeline uses, with its failure listeners in view. */
function listeningWriter() {
  const listeners = new Set<(err: unknown) => void>();
  const writer = {
    pendingRows: 0,
    onFailure(listener: (err: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    write() {},
    writeDeadLetter() {},
    flush: async () => {},
    waitForCapacity: async () => {},
  } as unknown as StoreWriter;
  return { writer, listeners };
}

describe('Pipeline.dispose', () => {
  it('stops listening to the store writer, and the pipeline takes no more records', () => {
    const { writer, listeners } = listeningWriter();
    const facts: string[] = [];
    const pipeline = createPipeline({
      processing: defaultProcessingOptions, alerts: defaultAlertsConfig(), writer, now: () => NOW, externalFrontier: true,
      onFact: (f) => void facts.push(f.kind),
    });
    const record = (eventId: string, at: number) => ({ value: Buffer.from(hydration(eventId, at).value), source: { topic: 't', partition: 0, offset: '0' } });
    pipeline.push(record('e0', NOW - 60_000));
    expect(listeners.size).toBe(1);
    pipeline.dispose();
    expect(listeners.size).toBe(0);
    pipeline.push(record('e1', NOW - 30_000));
    pipeline.advanceTo(NOW);
    expect(pipeline.counters.events).toBe(0);
  });
});
