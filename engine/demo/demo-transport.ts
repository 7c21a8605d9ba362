/**
 * How generated records reach the engine. By default they are pushed straight
 * into the pipeline (in-process). This is the seam for the Kafka path of
 * SPEC §7 (`driftwatch demo` with KAFKA_BROKERS set): a Kafka transport would
 * produce each record to the input topic of its `type` with its `key`
 * (`<env>/<artifact>`, so the topics stay co-partitioned), consume the topics
 * back as a group member, and push what it consumes into the same pipeline.
 * The runner only needs `send` (with backpressure) and `flush`.
 */
import type { Pipeline, PipelineCounters } from '../pipeline.js';
import type { Fact } from '../../processors/facts.js';
import type { StoreWriter } from '../../store/store-writer.js';
import type { GeneratedRecord } from './scenario-generator.js';

export interface DemoTransport {
  /** Shown in the summary, e.g. 'in-process' or 'kafka (broker:9092)'. */
  readonly name: string;
  /** Hands records to the engine side; resolves when more may be sent (backpressure). */
  send(records: readonly GeneratedRecord[]): Promise<void>;
  /** Resolves once every record sent so far has reached the pipeline. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** When the engine runs elsewhere (Kafka path): its counters, for the summary. */
  counters?(): PipelineCounters;
}

/** What a transport that runs its own engine (the Kafka path) needs from the demo: the store writer and the fact tally. */
export interface DemoEngineSide {
  writer: StoreWriter | null;
  onFact: (fact: Fact) => void;
}

/** Builds the transport for a pipeline (the runner creates the pipeline first). */
export type DemoTransportFactory = (pipeline: Pipeline, engineSide: DemoEngineSide) => DemoTransport | Promise<DemoTransport>;

/** Store rows pending above which sending waits for the store (as `replay` does). */
export const DEFAULT_MAX_PENDING_ROWS = 200_000;

export function inProcessTransport(options: { maxPendingRows?: number } = {}): DemoTransportFactory {
  const maxPendingRows = options.maxPendingRows ?? DEFAULT_MAX_PENDING_ROWS;
  return (pipeline) => ({
    name: 'in-process',
    async send(records) {
      for (const r of records) pipeline.push({ value: r.value, key: r.key, source: { line: r.seq } });
      await pipeline.waitForCapacity(maxPendingRows);
    },
    async flush() {},
    async close() {},
  });
}
