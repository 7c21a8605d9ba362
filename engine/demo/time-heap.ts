/**
 * The generator's heap is the shared one: lib/min-heap.ts sifts by moving a
 * hole (it used to be a faster copy of it, kept here). The name stays so the
 * generator's imports read as before.
 */
export { MinHeap as TimeHeap } from '../../lib/min-heap.js';
