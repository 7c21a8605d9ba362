/**
 * Which episode a key lives next. Injected incidents take turns across keys
 * (one shared round-robin), so even a short run shows every kind; the rest
 * is ordinary traffic: promotions, failed promotions, rollbacks, quiet time.
 */
import type { KeySim } from './key-sim.js';
import {
  planFailure,
  planNondeterminism,
  planPromotion,
  planQuiet,
  planRogue,
  planRollback,
  type EpisodeSink,
  type Plan,
} from './episode-planner.js';
import type { InjectedKind } from './scenario-options.js';

export class EpisodeChooser {
  private turn = 0;

  constructor(private readonly kinds: readonly InjectedKind[]) {}

  /** Plans the next episode of `k` starting at `T`. */
  next(c: EpisodeSink, k: KeySim, T: number): Plan {
    const rng = c.rng;
    if (this.kinds.length > 0 && rng.chance(c.options.incidentRate)) {
      // The first kind, from the current turn on, that this key can host now (a rogue version needs an
      // index instance, most kinds need the desired state to come from a promotion); the turn moves past it.
      for (let i = 0; i < this.kinds.length; i++) {
        const kind = this.kinds[(this.turn + i) % this.kinds.length]!;
        if (!possible(kind, k)) continue;
        this.turn += i + 1;
        return planInjected(c, k, T, kind);
      }
    }
    // After a rollback, the next change is a promotion: a later incident would otherwise
    // count as a failed rollback (SPEC's rollback_failed is "drift while desired came from a rollback").
    if (k.fromRollback) return planPromotion(c, k, T, false);
    switch (rng.weighted([50, 15, 10, 25])) {
      case 0:
        return planPromotion(c, k, T, false);
      case 1:
        return planFailure(c, k, T, false);
      case 2:
        return planRollback(c, k, T, false);
      default:
        return planQuiet(c, k, T);
    }
  }
}

function possible(kind: InjectedKind, k: KeySim): boolean {
  if (kind === 'rogue-version') return k.indexes().length > 0 && !k.fromRollback;
  if (kind === 'lagging-replica' || kind === 'nondeterministic-rule') return true;
  return !k.fromRollback;
}

function planInjected(c: EpisodeSink, k: KeySim, T: number, kind: InjectedKind): Plan {
  switch (kind) {
    case 'lagging-replica':
      return planPromotion(c, k, T, true);
    case 'rogue-version':
      return planRogue(c, k, T);
    case 'sticky-canary':
      return planFailure(c, k, T, true);
    case 'stuck-rollback':
      return planRollback(c, k, T, true);
    case 'nondeterministic-rule':
      return planNondeterminism(c, k, T);
  }
}
