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
 * or the same file from its start), which the shield leaves alone; a
 * socket cannot be reopened so, and is read to the end (into a file) first.
 */
import { closeSync, createReadStream, openSync } from 'node:fs';

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

/**
 * A stream of this process's standard input that survives shieldStdin(), or
 * undefined when fd 0 cannot be opened a second time (a socket — what Node's
 * `spawn` gives a child — has no /proc/self/fd/0 to open): the caller must
 * then read stdin to the end before the store opens. Call it before the store opens.
 */
export function claimStdin(): NodeJS.ReadableStream | undefined {
  if (shielded) throw new Error('standard input was already taken away from the embedded store: claim it before the store opens');
  try {
    return createReadStream('', { fd: openSync('/proc/self/fd/0', 'r'), highWaterMark: 1 << 20 });
  } catch {
    return undefined;
  }
}
