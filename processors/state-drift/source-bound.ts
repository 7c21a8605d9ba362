/**
 * How many sources one key keeps at once (ProcessingOptions.maxSourcesPerKey,
 * DRIFTWATCH_MAX_SOURCES_PER_KEY). SPEC §4.2 forgets a source once it has
 * been silent for longer than the source TTL, which bounds a key by the
 * sources that reported within the TTL — as many as one producer inventing
 * instance names sends events. Past the bound, a new source is kept in the
 * place of one whose latest digest is acceptable (the first such of the
 * oldest-tracked SCANNED); when none is, the new one is kept in the place of
 * the oldest-tracked only if its own digest is divergent, and is not kept
 * otherwise. Either way some source is divergent after exactly when one was
 * before: whether the key is drifted is what its sources say, and a flood of
 * invented replicas neither ends a drift nor starts one. What is given up, and
 * only past the bound: a source dropped while its digest was acceptable only
 * through a grace period is not judged when the grace ends (it is again at
 * its next report), and an incident's source counts leave the dropped out.
 * Each dropped source is counted (`dropped`).
 */
import type { SourceObservation } from './key-state.js';

/** The oldest-tracked sources looked at for one to drop (a look at all of a full key would cost the bound per event). */
export const SCANNED = 64;

/** The bound and the count of sources dropped for it, shared by every key of a processor. */
export class SourceBound {
  dropped = 0;

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxSourcesPerKey must be a positive whole number, got ${max}`);
  }

  /**
   * Whether a new source, its digest divergent or not (`divergent`), is to be
   * kept in `sources`; makes room for it when the key is at the bound.
   * `isDivergent` judges a kept source's digest now.
   */
  admit(sources: Map<string, SourceObservation>, divergent: boolean, isDivergent: (digest: string) => boolean): boolean {
    if (sources.size < this.max) return true;
    this.dropped++;
    let oldest: string | undefined;
    let looked = 0;
    for (const [id, s] of sources) {
      oldest ??= id;
      if (!isDivergent(s.digest)) {
        sources.delete(id);
        return true;
      }
      if (++looked >= SCANNED) break;
    }
    if (!divergent) return false;
    sources.delete(oldest!);
    return true;
  }
}
