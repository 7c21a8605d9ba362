/**
 * The envelope key `<env>/<artifact>`, as one shared string per key.
 *
 * Every processor looks the key up in its own maps and sets (state, dirty
 * keys, timers, windows) several times per event. A freshly concatenated key
 * makes each of those lookups hash and compare its characters; the interned
 * string is found by identity. The table is bounded: past `MAX_INTERNED`
 * distinct keys it starts over (a key is then simply a new string, which is
 * equal all the same).
 */
const MAX_INTERNED = 100_000;
let interned = new Map<string, Map<string, string>>();
let internedCount = 0;

export function envelopeKey(env: string, artifact: string): string {
  let byArtifact = interned.get(env);
  if (byArtifact === undefined) {
    if (internedCount >= MAX_INTERNED) {
      interned = new Map();
      internedCount = 0;
    }
    byArtifact = new Map();
    interned.set(env, byArtifact);
  }
  let key = byArtifact.get(artifact);
  if (key === undefined) {
    key = `${env}/${artifact}`;
    if (internedCount < MAX_INTERNED) {
      byArtifact.set(artifact, key);
      internedCount++;
    }
  }
  return key;
}
