/**
 * The partition count of each input topic, which the decoder checks a keyed
 * record's partition against (processors/decode.ts, `wrong_partition`: the
 * key's events must share one partition number on all three inputs).
 *
 * Read at start (with the co-partitioning check) and again at each engine
 * generation: partitions added to the topics reach the consumer through a
 * rebalance, and the keys' placement changes with the count. A failed
 * re-read keeps the counts in hand (a record on a partition beyond them is
 * not judged) rather than failing the assignment over a check.
 */
import type { Logger } from '../../lib/logger.js';

interface TopicPartitions {
  name: string;
  partitions: readonly unknown[];
}

/** What is asked of the kafkajs Admin. */
interface MetadataSource {
  fetchTopicMetadata(args: { topics: string[] }): Promise<{ topics: readonly TopicPartitions[] }>;
}

/** Records the counts of the input topics among `topics` (a metadata answer). */
export function notePartitionCounts(counts: Map<string, number>, inputTopics: readonly string[], topics: readonly TopicPartitions[]): void {
  for (const t of topics) if (inputTopics.includes(t.name) && t.partitions.length > 0) counts.set(t.name, t.partitions.length);
}

/** Reads the input topics' counts again; on failure keeps the earlier ones (logged at debug). */
export async function refreshPartitionCounts(admin: MetadataSource, counts: Map<string, number>, inputTopics: readonly string[], log: Logger): Promise<void> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [...inputTopics] });
    notePartitionCounts(counts, inputTopics, topics);
  } catch (err) {
    log.debug({ err }, 'reading the input topics\' partition counts failed: the earlier counts stay in use');
  }
}
