/**
 * What a replay checks of its input file and --out before it writes anything
 * (replay.ts): a usage error (exit 2) when the command line names the wrong
 * thing, a coded input error with the OS's reason when the OS refuses.
 */
import { accessSync, closeSync, constants as fsConstants, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, UsageError } from '../lib/errors.js';
import { makeDir } from '../lib/make-dir.js';
import { OUTPUT_FILES } from './earlier-outputs.js';

/** `EEXIST: file already exists` out of a Node fs error (its message also repeats the syscall and path). */
function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reason = typeof e?.message === 'string' ? e.message.replace(/,\s*\w+\s+'.*$/s, '') : String(err);
  return e?.code && !reason.startsWith(e.code) ? `${e.code}: ${reason}` : reason;
}

/** Creates (or checks) the output directory, failing with a coded error that names --out and the OS reason. */
export function createOutputDir(outDir: string): void {
  refuseNonDirectoryOut(outDir);
  try {
    makeDir(outDir);
  } catch (err) {
    throw new InputError(`--out ${outDir}: cannot create the output directory (${osReason(err)})`, { cause: err });
  }
  try {
    accessSync(outDir, fsConstants.W_OK);
  } catch (err) {
    throw new InputError(`--out ${outDir}: the output directory is not writable (${osReason(err)})`, { cause: err });
  }
}

/**
 * An --out that is a file (or lies under one) names the wrong thing on the
 * command line: a usage error (exit 2), not the OS failing to make a
 * directory (exit 1, an EEXIST or ENOTDIR the user has to decode). Checked
 * from --out up to its first existing ancestor; a missing one is made later.
 */
function refuseNonDirectoryOut(outDir: string): void {
  for (let path = resolve(outDir); ; path = dirname(path)) {
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      return; // EACCES and the like: makeDir below reports them with the OS reason
    }
    if (stat.isDirectory()) return;
    const what = `${stat.isFile() ? 'is a file, not a directory' : 'is not a directory'}: choose a directory for the replay's outputs`;
    throw new UsageError(path === resolve(outDir) ? `--out ${outDir} ${what}` : `--out ${outDir}: ${path} ${what}`);
  }
}

/**
 * Refuses an input the run cannot read as a file of lines (a directory: it
 * would fail only after the store was created) or one it would overwrite:
 * an input that is one of `<out>`'s output files — `replay out/dlq.ndjson
 * --out out`, re-driving dead letters, is the likely way there — would be
 * replaced by the run's own output once it succeeded, the events lost. Same
 * file = same device and inode (a hard link or another path to it counts).
 * Each is the command line naming the wrong thing: a usage error (exit 2);
 * a file that exists but cannot be read is the OS's refusal (exit 1).
 */
export function checkInput(input: string, outDir: string): void {
  let stat;
  try {
    stat = statSync(input);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`input file ${input} does not exist`);
    throw new InputError(`input file ${input}: cannot read it (${osReason(err)})`, { cause: err });
  }
  if (stat.isDirectory()) throw new UsageError(`input file ${input} is a directory: expected an NDJSON file`);
  if (stat.isFile() && isGzip(input)) {
    throw new UsageError(`input file ${input} is gzip-compressed: expected NDJSON text; decompress it on the way in: gunzip -c ${input} | driftwatch replay - --out ${outDir}`);
  }
  for (const name of OUTPUT_FILES) {
    const out = join(outDir, name);
    let existing;
    try {
      existing = statSync(out);
    } catch {
      continue; // not there yet: nothing to overwrite
    }
    if (existing.dev === stat.dev && existing.ino === stat.ino) {
      throw new UsageError(`input file ${input} is ${out}, which this run writes: replaying it there would overwrite the input; copy it elsewhere or choose another --out`);
    }
  }
}

/** Whether the file starts with gzip's magic bytes (1f 8b): every line of it would be a dead letter "not valid UTF-8". */
function isGzip(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    return false; // unreadable here: the reader reports it with its reason
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
