import { describe, it, expect } from 'vitest';
import kafkajs from 'kafkajs';
import { artifactOnPartition, murmur2, partitionOfKey } from '../../../topics/key-partition.js';

describe('partitionOfKey: where the Java client (and kafkajs DefaultPartitioner) puts a key', () => {
  it('murmur2 gives the hashes of Kafka\'s own test vectors (clients UtilsTest.testMurmur2)', () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, hash] of vectors) expect(murmur2(Buffer.from(text, 'utf8'))).toBe(hash);
  });

  it('agrees with kafkajs DefaultPartitioner for keys of every length and non-ASCII ones', () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 6, 7, 64]) {
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (const key of ['prod/search-index', 'staging/org/repo', 'dev/a', 'p/ü€😀', 'x'.repeat(37), '']) {
        const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionOfKey(key, count), `${key} of ${count}`).toBe(expected);
        expect(partitionOfKey(Buffer.from(key, 'utf8'), count)).toBe(expected);
      }
    }
  });
});

describe('artifactOnPartition', () => {
  it('finds an artifact id whose <env>/<artifact> key belongs on the given partition, the base itself when it does', () => {
    for (const count of [1, 3, 6]) {
      for (let p = 0; p < count; p++) {
        const artifact = artifactOnPartition('tick', `p${p}`, p, count);
        expect(artifact.startsWith(`p${p}`)).toBe(true);
        expect(partitionOfKey(`tick/${artifact}`, count)).toBe(p);
      }
    }
    const base = 'search-index';
    expect(artifactOnPartition('prod', base, partitionOfKey(`prod/${base}`, 6), 6)).toBe(base);
  });
});
