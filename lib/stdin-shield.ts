/**
 * Keeps the embedded ClickHouse (chDB) away from this process's standard
 * input. chDB reads the host's fd 0 as external data for any INSERT that
 * carries its own data (chdb-io/chdb-core#239): run with a pipe on stdin —
 * a CI step, a supervisor, `… | driftwatch replay -` — an `INSERT … FORMAT
 * JSONEachRow` fails ("Cannot parse input") or, worse, inserts the piped
 * bytes as extra rows without an error (seen here: a garbage row in
 * schema_migrations from `echo '{"x":1}' | driftwatch replay f --out o`).
 *
 * So before the first chDB session, fd 0 is pointed at /dev/null (close it,
 * open /dev/null: the lowest free descriptor is 0). A command that reads
 * stdin itself (`replay -`) claims it first: `claimStdin()` opens a
 * descriptor of its own on the same input (/proc/self/fd/0: the same pipe,
 * or the same file from its start), which the shield leaves alone.
 */
import { closeSync, createReadStream, openSync } from 'node:fs';
import { InputError } from './errors.js';

let shielded = false;

/**
 * Points fd 0 at /dev/null, once. Also a terminal: nothing here reads it
 * (Ctrl-C is a signal from the terminal driver, not input).
 */
export function shieldStdin(): void {
  if (shielded) return;
  shielded = true;
  closeSync(0);
  const fd = openSync('/dev/null', 'r');
  // Another thread opened a file between the two calls and took fd 0: without dup2 /dev/null cannot be moved there,
  // so refuse rather than let chDB read that file.
  if (fd !== 0) throw new Error(`could not point standard input at /dev/null (got fd ${fd}): the embedded store would read it`);
}

/** A stream of this process's standard input that survives shieldStdin(); call it before the store opens. */
export function claimStdin(): NodeJS.ReadableStream {
  if (shielded) throw new Error('standard input was already taken away from the embedded store: claim it before the store opens');
  let fd: number;
  try {
    fd = openSync('/proc/self/fd/0', 'r');
  } catch (err) {
    // E.g. a socket on fd 0. Reading fd 0 itself would leave the store's inserts reading it too.
    throw new InputError(`cannot read standard input apart from the embedded store (/proc/self/fd/0: ${(err as Error).message}); write the events to a file and pass its path`, { cause: err });
  }
  return createReadStream('', { fd, highWaterMark: 1 << 20 });
}
