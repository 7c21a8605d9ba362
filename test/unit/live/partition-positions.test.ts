import { describe, expect, it } from 'vitest';
import { PartitionPositions } from '../../../engine/live/partition-backlog.js';

describe('PartitionPositions', () => {
  it('moves forward with each batch, never back', () => {
    const p = new PartitionPositions();
    p.restore(new Map([['in:0', '10']]));
    p.consumed('in:0', '19', '10');
    expect(p.position('in:0')).toBe(20n);
    p.consumed('in:0', '14', '12'); // an older batch reporting late
    expect(p.position('in:0')).toBe(20n);
  });

  it('after a rewind, ignores batches fetched before it until one from the new position comes', () => {
    const p = new PartitionPositions();
    p.consumed('in:0', '99', '50');
    p.consumed('in:1', '40', '30');
    p.rewind(['in:0', 'in:1'], new Map([['in:0', '60']])); // in:1 had no commit: back to the start of its log
    expect(p.position('in:0')).toBe(60n);
    expect(p.position('in:1')).toBeUndefined();

    p.consumed('in:0', '119', '100'); // the batch in hand when the consumer was sent back: stale
    p.consumed('in:1', '45', '41');
    expect(p.position('in:0')).toBe(60n);
    expect(p.position('in:1')).toBeUndefined();

    p.consumed('in:0', '79', '60'); // read again from the committed offset
    p.consumed('in:1', '9', '0');
    expect(p.position('in:0')).toBe(80n);
    expect(p.position('in:1')).toBe(10n);
    p.consumed('in:0', '99', '80'); // and on as usual
    expect(p.position('in:0')).toBe(100n);
  });
});

describe('PartitionPositions and a batch left unread', () => {
  it('a batch the engine broke off (stale after a rewind to where it starts) does not move the position past its records', () => {
    const p = new PartitionPositions();
    p.consumed('in#0', '59', '40');
    // The batch 60..99 is in hand when a failed commit sends the consumer back to 60, where it starts: the engine
    // stops at its first record (isStale) and pushes none of them; kafkajs still reports the batch as finished.
    p.rewind(['in#0'], new Map([['in#0', '60']]));
    p.leftUnread('in#0');
    p.consumed('in#0', '99', '60');
    expect(p.position('in#0')).toBe(60n); // at 100, the broker's end (100) would confirm the partition idle with 40 records unread
    p.consumed('in#0', '99', '60'); // read again from 60 and handled
    expect(p.position('in#0')).toBe(100n);
  });
});
