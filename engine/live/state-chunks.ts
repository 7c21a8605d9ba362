/**
 * State changelog records of any size, each within what the broker accepts.
 *
 * A record's size follows its state, and state follows the input: the
 * instance's per-env record (`w/<instanceId>`) grows with every env seen in
 * its open windows and rolling rule windows, a key's record with every source
 * reporting it within the source TTL, the env-level store rows of a commit
 * (`s/<instanceId>`, committed-share-rows.ts) with the windows it closed, and
 * none has a bound of its own (5 000 envs in one window made a 1.1 MB
 * record). A record over the broker's `message.max.bytes` fails the commit
 * with MESSAGE_TOO_LARGE, not retriable, after every restart alike: one
 * producer's made-up envs stopped the pipeline (SPEC §3: a bad message never
 * does).
 *
 * So a value over `STATE_VALUE_BYTES` is written as pieces: its record holds
 * a manifest (`{"$chunks":n,"bytes":b}`, a value no state record has) and
 * the value's UTF-8 bytes, cut between characters, go to `c/<i>/<key>`,
 * i = 0 … n−1, on the record's partition. The commit sends them all in its
 * one transaction, so a read_committed reader sees all of them or none, and
 * every version of a record writes all of its pieces: the latest manifest and
 * the latest pieces belong together. A version with fewer pieces, or none (a
 * small value, a tombstone), tombstones the pieces the one before had, so
 * compaction leaves nothing of it behind. The engine knows those from what it
 * restored (a new engine restores from the changelog before it commits) and
 * what it wrote since.
 *
 * A value at or below the bound is written as it always was: records of the
 * previous release read as they are.
 */
import type { Message } from 'kafkajs';
import { ValidationError } from '../../lib/errors.js';
import { SEND_CHUNK_BYTES } from './send-chunks.js';

export const CHUNK_PREFIX = 'c/';

/**
 * The largest value written as one record; a larger one goes in pieces of at
 * most this. A send's bound less room for the key (two identifying strings
 * of up to 1024 characters, 4 UTF-8 bytes at most each) and framing: every
 * record fits one send. No smaller: a record written whole is one the
 * previous release reads too (README: Upgrading a running deployment).
 */
export const STATE_VALUE_BYTES = SEND_CHUNK_BYTES - 16 * 1024;

export type ChangelogMessage = Message & { partition: number };

/** What a split record holds in place of its value. */
interface Manifest {
  $chunks: number;
  bytes: number;
}

/** Every manifest starts so (JSON.stringify keeps the property order); a state record, a position or a marker never does. */
const MANIFEST_START = '{"$chunks":';

export function chunkKey(key: string, index: number): string {
  return `${CHUNK_PREFIX}${index}/${key}`;
}

/** The split records this engine knows of in the changelog, and how many pieces each has there. */
export class ChunkedRecords {
  private readonly pieces = new Map<string, number>();

  /** How many pieces record `key` has in the changelog as far as this engine knows (0: written whole, or not at all). */
  piecesOf(key: string): number {
    return this.pieces.get(key) ?? 0;
  }

  /**
   * The records to send for `messages`, in order: each one as it is, or, for
   * a value over `maxBytes`, its manifest and its pieces; each followed by
   * tombstones of the pieces its previous version had beyond its own.
   */
  split(messages: readonly ChangelogMessage[], maxBytes: number = STATE_VALUE_BYTES): ChangelogMessage[] {
    const out: ChangelogMessage[] = [];
    for (const m of messages) {
      const key = keyText(m.key);
      const value = m.value;
      const text = value === null || value === undefined ? undefined : typeof value === 'string' ? value : value.toString('utf8');
      // A UTF-16 code unit is at most 3 UTF-8 bytes: most records are counted no further.
      const bytes = text === undefined || text.length * 3 <= maxBytes ? 0 : Buffer.byteLength(text);
      const pieces = bytes > maxBytes ? utf8Pieces(text!, maxBytes) : [];
      if (pieces.length === 0) out.push(m);
      else {
        const manifest: Manifest = { $chunks: pieces.length, bytes };
        out.push({ ...m, value: JSON.stringify(manifest) });
        pieces.forEach((piece, i) => out.push({ key: chunkKey(key, i), partition: m.partition, value: piece }));
      }
      for (let i = pieces.length; i < this.piecesOf(key); i++) out.push({ key: chunkKey(key, i), partition: m.partition, value: null });
      this.note(key, pieces.length);
    }
    return out;
  }

  /** Record `key` has `pieces` pieces in the changelog (read at a restore). */
  note(key: string, pieces: number): void {
    if (pieces > 0) this.pieces.set(key, pieces);
    else this.pieces.delete(key);
  }
}

/**
 * The latest values of one changelog partition as they were written: a split
 * record's value put back together from its pieces, the pieces themselves
 * left out. Records written whole (every record of the previous release) are
 * as they are. The pieces found are noted in `chunked` by their record —
 * every one there, beyond its manifest's count too (a version whose commit
 * failed may have left some) — so the engine's next version of each record
 * tombstones those it no longer has.
 */
export function assembledEntries(entries: ReadonlyArray<[string, string]>, chunked?: ChunkedRecords): Map<string, string> {
  const latest = new Map(entries);
  const out = new Map<string, string>();
  /** Record key → one more than the highest index of its pieces present. */
  const present = new Map<string, number>();
  for (const [key, value] of entries) {
    if (key.startsWith(CHUNK_PREFIX)) {
      const piece = pieceOf(key);
      if (piece) present.set(piece.record, Math.max(present.get(piece.record) ?? 0, piece.index + 1));
      continue;
    }
    const manifest = manifestOf(value);
    if (manifest === undefined) {
      out.set(key, value);
      continue;
    }
    let text = '';
    for (let i = 0; i < manifest.$chunks; i++) {
      const piece = latest.get(chunkKey(key, i));
      // Never so with one transaction per version; a changelog written by hand, or compacted under a reader's feet, could.
      if (piece === undefined) throw new ValidationError(`state changelog record ${key}`, `piece ${i} of ${manifest.$chunks} is missing`);
      text += piece;
    }
    if (Buffer.byteLength(text) !== manifest.bytes) {
      throw new ValidationError(`state changelog record ${key}`, `its ${manifest.$chunks} pieces hold ${Buffer.byteLength(text)} bytes, the manifest says ${manifest.bytes}`);
    }
    out.set(key, text);
  }
  if (chunked) for (const [record, pieces] of present) chunked.note(record, pieces);
  return out;
}

/** The record and index of a piece's key `c/<i>/<key>`; undefined if it is not one. */
function pieceOf(key: string): { record: string; index: number } | undefined {
  const slash = key.indexOf('/', CHUNK_PREFIX.length);
  const index = Number(key.slice(CHUNK_PREFIX.length, slash));
  return slash > 0 && Number.isInteger(index) && index >= 0 ? { record: key.slice(slash + 1), index } : undefined;
}

function manifestOf(value: string): Manifest | undefined {
  if (!value.startsWith(MANIFEST_START)) return undefined;
  const parsed = JSON.parse(value) as Partial<Manifest>;
  return Number.isInteger(parsed.$chunks) && Number.isInteger(parsed.bytes) ? (parsed as Manifest) : undefined;
}

/** `text` cut into pieces of at most `maxBytes` UTF-8 bytes each, never inside a character (each piece decodes on its own). */
export function utf8Pieces(text: string, maxBytes: number): string[] {
  // A character takes up to 4 bytes: fewer could not hold one.
  if (!(maxBytes >= 4)) throw new RangeError(`a piece must hold at least 4 bytes, got ${maxBytes}`);
  const buf = Buffer.from(text, 'utf8');
  const pieces: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + maxBytes, buf.length);
    // A UTF-8 continuation byte is 10xxxxxx: back off to the first byte of its character (at most 3 steps).
    while (end < buf.length && (buf[end]! & 0xc0) === 0x80) end--;
    pieces.push(buf.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

function keyText(key: Message['key']): string {
  if (key === null || key === undefined) throw new ValidationError('state changelog record', 'has no key');
  return typeof key === 'string' ? key : key.toString('utf8');
}
