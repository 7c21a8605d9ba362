/**
 * MurmurHash3's 32-bit finalizer: every bit of the result depends on every
 * bit of the input. Shared by the hashes that need their low bits well mixed
 * (the dedup id set's table index, the persisted event digests) and the demo's
 * seed splitter. Its constants and steps are part of persisted digests
 * (schemas/compiled-digest.ts): changing them changes every stored digest.
 * Returns a signed 32-bit integer.
 */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
