/**
 * The partition a key belongs on: the Java client's default partitioner
 * (`Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions`), which
 * kafkajs's DefaultPartitioner, librdkafka's `murmur2_random` and Kafka
 * Streams share. Co-partitioning (SPEC §2) needs every producer of the three
 * inputs to place a key alike; this is the placement driftwatch checks input
 * records against (processors/decode.ts, `wrong_partition`) — other clients'
 * defaults differ (librdkafka's `consistent_random` is CRC32, kafkajs's
 * LegacyPartitioner another murmur2 variant).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 of the bytes, as a signed 32-bit int (org.apache.kafka.common.utils.Utils.murmur2). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The 1 to 3 bytes left over (Java's switch falls through from case 3 to case 1).
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2]! << 16;
    if (rest >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of `count` that the Java client's default partitioner gives `key` (a string is taken as UTF-8). */
export function partitionOfKey(key: string | Uint8Array, count: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % count;
}

/**
 * An artifact id starting with `base` whose key `<env>/<artifact>` belongs on
 * `partition` of `count`: for records that must reach one given partition
 * (the tests' and benchmarks' per-partition clock ticks) and still be keyed as
 * a producer must key them.
 */
export function artifactOnPartition(env: string, base: string, partition: number, count: number): string {
  for (let n = 0; ; n++) {
    const artifact = n === 0 ? base : `${base}-${n}`;
    if (partitionOfKey(`${env}/${artifact}`, count) === partition) return artifact;
  }
}
