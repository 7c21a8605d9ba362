/**
 * The Avro soak's reference: replay reads JSON lines, so the one thing an
 * engine with a registry says differently is why a line that is not JSON is a
 * dead letter; the replay snapshot's dead letters are reworded, nothing else.
 */
import { describe, it, expect } from 'vitest';
import { avroDeadLetterReason } from './avro-records.js';
import { mapDeadLetterReasons, type StoreSnapshot } from './store-snapshot.js';

describe('Avro soak: replay dead letters in an Avro engine\'s words', () => {
  it('rewords "invalid JSON" reasons only, in the dead_letters table only', () => {
    const row = (reason: string, raw: string) => JSON.stringify({ reason, raw, raw_encoding: 'utf8' });
    const replay: StoreSnapshot = new Map([
      ['dead_letters', [row('invalid JSON: Unexpected token', '{oops'), row('invalid event: missing env', '{"type":"index"}')].sort()],
      ['incidents', ['{"reason":"invalid JSON: not a dead letter"}']],
    ]);
    const mapped = mapDeadLetterReasons(replay, avroDeadLetterReason);
    expect(mapped.get('dead_letters')).toEqual(
      [row('invalid Avro/JSON: not JSON, and not Avro (no magic byte 0): Unexpected token', '{oops'), row('invalid event: missing env', '{"type":"index"}')].sort(),
    );
    expect(mapped.get('incidents')).toEqual(replay.get('incidents'));
    expect(replay.get('dead_letters')).toContain(row('invalid JSON: Unexpected token', '{oops')); // the original is left as it was
  });
});
