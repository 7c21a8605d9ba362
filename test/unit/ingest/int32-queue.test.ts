/** The deduplicator's 32-bit columns (processors/int32-queue.ts): values kept exactly across growth and front drops. */
import { describe, expect, it } from 'vitest';
import { Int32Queue } from '../../../processors/int32-queue.js';

describe('Int32Queue', () => {
  it('keeps every signed 32-bit value across growth and drops from the front', () => {
    const q = new Int32Queue(2);
    const values = Array.from({ length: 1000 }, (_, i) => Math.imul(i + 1, 0x9e3779b1)); // negative ones too
    for (const v of values) q.push(v);
    expect(q.length).toBe(1000);
    expect(Array.from({ length: 1000 }, (_, i) => q.at(i))).toEqual(values);
    q.dropFront(600);
    q.push(-1);
    expect(q.length).toBe(401);
    expect(Array.from({ length: 401 }, (_, i) => q.at(i))).toEqual([...values.slice(600), -1]);
  });
});
