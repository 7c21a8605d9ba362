/**
 * Counts the elements code steps through, as a measure of its work that does
 * not depend on the machine or its load (tests never time code: speed is for
 * the benchmarks). Counted while `run` runs, synchronously:
 *   - every step of an array, Map or Set iterator (for-of, spread,
 *     destructuring, Map/Set `keys`/`values`/`entries`);
 *   - the length of an array passed through a callback method (filter, find,
 *     some, every, map, forEach, reduce, findIndex), an upper bound on the
 *     elements it visits.
 * The shared iterator prototypes and Array.prototype are patched for the
 * duration and put back afterwards, so production code needs no test seam. A
 * plain index loop is not counted: use this to compare how the work grows
 * with the input (the ratio of two sizes), not as an absolute count.
 */
import { expect } from 'vitest';

const iteratorPrototypes = [
  Object.getPrototypeOf([][Symbol.iterator]()),
  Object.getPrototypeOf(new Map()[Symbol.iterator]()),
  Object.getPrototypeOf(new Set()[Symbol.iterator]()),
] as Array<{ next: (...args: unknown[]) => unknown }>;

const callbackMethods = ['filter', 'find', 'findIndex', 'some', 'every', 'map', 'forEach', 'reduce'] as const;

export function countIterationSteps(run: () => void): number {
  let steps = 0;
  const restore: Array<() => void> = [];
  for (const proto of iteratorPrototypes) {
    const next = proto.next;
    proto.next = function (this: unknown, ...args: unknown[]) {
      steps++;
      return next.apply(this, args);
    };
    restore.push(() => (proto.next = next));
  }
  const arrayProto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of callbackMethods) {
    const method = arrayProto[name]!;
    arrayProto[name] = function (this: unknown[], ...args: unknown[]) {
      steps += this.length;
      return method.apply(this, args);
    };
    restore.push(() => (arrayProto[name] = method));
  }
  try {
    run();
  } finally {
    for (const undo of restore) undo();
  }
  return steps;
}

/**
 * Measures at `size` and at ten times it, checks each result (`check`), then
 * that the steps grew about linearly: under 15 times (quadratic work grows
 * about a hundred times).
 */
export function expectLinearSteps<R extends { steps: number }>(measure: (size: number) => R, check: (size: number, result: NoInfer<R>) => void, size = 100): void {
  const small = measure(size);
  const large = measure(10 * size);
  check(size, small);
  check(10 * size, large);
  expect(large.steps).toBeLessThan(15 * small.steps);
}
