/**
 * `<topic>#<partition>`: how watermarks, positions and the offset checks name
 * a topic-partition, in one place with its inverse.
 */
const keys = new Map<string, string[]>();

/**
 * The key of a topic-partition, the same string object every time: it is
 * looked up in maps once per record, and a string built per record would be
 * hashed afresh on every lookup. Bounded by the partitions this process ever
 * consumed.
 */
export function tp(topic: string, partition: number): string {
  let ofTopic = keys.get(topic);
  if (ofTopic === undefined) keys.set(topic, (ofTopic = []));
  return (ofTopic[partition] ??= `${topic}#${partition}`);
}

/** The topic and partition a `tp` key names (topic names may contain '#'; the partition never does). */
export function splitTp(key: string): [topic: string, partition: number] {
  const i = key.lastIndexOf('#');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

/** The `tp` keys of the partitions of `topics` in an assignment (topic → partitions). */
export function assignedTps(topics: readonly string[], assignment: Readonly<Record<string, readonly number[]>>): string[] {
  return topics.flatMap((topic) => (assignment[topic] ?? []).map((partition) => tp(topic, partition)));
}
