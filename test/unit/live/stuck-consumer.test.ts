/**
 * The watch for a consumer that stopped without its owner stopping it and
 * then neither reported its crash nor rejoined (stuck-consumer.ts), on
 * virtual time. The consumer is a stand-in emitter with kafkajs's event
 * names: only its events matter here (the real one is in
 * test/integration/live/live-stuck-consumer.test.ts).
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Consumer } from 'kafkajs';
import { watchForStuckStop } from '../../../engine/live/stuck-consumer.js';

const events = { STOP: 'consumer.stop', CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };

function standIn(): { consumer: Consumer; emit: (event: keyof typeof events) => void } {
  const emitter = new EventEmitter();
  const consumer = { events, on: (e: string, fn: () => void) => emitter.on(e, fn) } as unknown as Consumer;
  return { consumer, emit: (event) => emitter.emit(events[event]) };
}

describe('watchForStuckStop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a stop with no crash report and no rejoin within the bound is stuck, once', () => {
    const { consumer, emit } = standIn();
    const onStuck = vi.fn();
    watchForStuckStop(consumer, { afterMs: 3_000, stopping: () => false, onStuck });
    emit('STOP');
    vi.advanceTimersByTime(2_999);
    expect(onStuck).not.toHaveBeenCalled();
    emit('STOP'); // a second STOP does not restart the bound
    vi.advanceTimersByTime(1);
    expect(onStuck).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(onStuck).toHaveBeenCalledTimes(1);
  });

  it.each(['CRASH', 'GROUP_JOIN'] as const)('a %s within the bound means kafkajs got on with it: not stuck', (event) => {
    const { consumer, emit } = standIn();
    const onStuck = vi.fn();
    watchForStuckStop(consumer, { afterMs: 3_000, stopping: () => false, onStuck });
    emit('STOP');
    vi.advanceTimersByTime(2_000);
    emit(event);
    vi.advanceTimersByTime(60_000);
    expect(onStuck).not.toHaveBeenCalled();
    // A later stop is watched again.
    emit('STOP');
    vi.advanceTimersByTime(3_000);
    expect(onStuck).toHaveBeenCalledTimes(1);
  });

  it("the owner's own stop, or one that begins while the bound runs, is not stuck", () => {
    const { consumer, emit } = standIn();
    const onStuck = vi.fn();
    let stopping = true;
    watchForStuckStop(consumer, { afterMs: 3_000, stopping: () => stopping, onStuck });
    emit('STOP');
    vi.advanceTimersByTime(10_000);
    stopping = false;
    emit('STOP');
    stopping = true; // e.g. SIGTERM, or the consumer was replaced meanwhile
    vi.advanceTimersByTime(10_000);
    expect(onStuck).not.toHaveBeenCalled();
  });
});
