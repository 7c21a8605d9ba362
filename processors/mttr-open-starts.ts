/**
 * The start times of the MTTR processor's open incidents, per scope ('*'
 * and each env), each list kept sorted as incidents open and resolve. A
 * snapshot needs, per scope, how many open incidents had started by `asOf`
 * and the oldest start: with sorted lists that is a binary search and the
 * first element, instead of a walk over every open incident (hundreds in a
 * busy replay) for every snapshot.
 *
 * The results are those of the walk in `rollingSnapshots`: the count of
 * starts ≤ asOf, and their minimum (the first of the sorted list). A start
 * that is not an ordinary number (NaN sorts nowhere) makes the lists
 * unusable (`exact` false), and the caller walks the open incidents instead.
 */
import type { Open } from './mttr-snapshots.js';
import { upperBound } from '../lib/sorted-search.js';

export class OpenStarts {
  private readonly byScope = new Map<string, number[]>();
  /** False once a start time could not be placed in a sorted list. */
  exact = true;

  added(open: Open): void {
    if (Number.isNaN(open.startedAt) || typeof open.startedAt !== 'number') this.exact = false;
    if (!this.exact) return;
    this.insert('*', open.startedAt);
    this.insert(open.env, open.startedAt);
  }

  removed(open: Open): void {
    if (!this.exact) return;
    this.remove('*', open.startedAt);
    this.remove(open.env, open.startedAt);
  }

  /** Open incidents of `scope` that had started by `asOf`. */
  countAt(scope: string, asOf: number): number {
    const starts = this.byScope.get(scope);
    return starts === undefined ? 0 : upperBound(starts, asOf);
  }

  /** The earliest start in `scope` (meaningful when `countAt` is not 0). */
  oldest(scope: string): number {
    return this.byScope.get(scope)?.[0] ?? Infinity;
  }

  /** The envs (not '*') with an open incident that had started by `asOf`. */
  *envsOpenAt(asOf: number): Iterable<string> {
    for (const [scope, starts] of this.byScope) if (scope !== '*' && starts[0]! <= asOf) yield scope;
  }

  private insert(scope: string, start: number): void {
    let starts = this.byScope.get(scope);
    if (starts === undefined) this.byScope.set(scope, (starts = []));
    starts.splice(upperBound(starts, start), 0, start);
  }

  private remove(scope: string, start: number): void {
    const starts = this.byScope.get(scope);
    const i = starts === undefined ? -1 : upperBound(starts, start) - 1;
    if (starts === undefined || i < 0 || starts[i] !== start) {
      this.exact = false; // removing what was never added: the lists no longer match the open incidents
      return;
    }
    starts.splice(i, 1);
    if (starts.length === 0) this.byScope.delete(scope);
  }
}

