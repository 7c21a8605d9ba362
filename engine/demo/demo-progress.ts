/**
 * The live progress line of `driftwatch demo` on stderr: rewritten in place
 * several times a second on a terminal, one plain line every few seconds
 * otherwise (CI logs, pipes), so it never floods a log file.
 */
import { formatTimestamp } from '../../lib/time.js';
import type { DemoTally } from './demo-tally.js';

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  /** Rewrite one line in place (terminal) or print plain lines. Default: the stream's isTTY. */
  tty?: boolean;
  /** Default 200 ms on a terminal, 5 s otherwise. */
  intervalMs?: number;
  /** Wall clock, injectable for tests. */
  now?: () => number;
}

export interface ProgressSource {
  /** Records handed to the engine so far. */
  records(): number;
  tally: DemoTally;
  /** Event time of the latest record generated so far: the line's event time never goes past it (see progressLine). */
  lastEventAt?: () => number;
  /** The engine has been told that no more input comes (its event time then moves past every window and timer). */
  inputEnded?: () => boolean;
}

const num = new Intl.NumberFormat('en-US');

/**
 * `clock`: the engine's event time, shown no later than `lastEventAt` — the end of input moves the engine past every
 * window and timer (a day past the last event for snapshot_not_verified), and the line showed that time as if the
 * scenario had run that long. `endOfInput` marks the line written after it (what it resolved is in the summary).
 */
export function progressLine(p: { records: number; perSecond: number; clock: number; tally: DemoTally; lastEventAt?: number; endOfInput?: boolean }): string {
  const t = p.tally;
  const f = t.firingBySeverity();
  const at = Math.min(p.clock, p.lastEventAt ?? Number.POSITIVE_INFINITY);
  const clock = Number.isFinite(at) ? formatTimestamp(at).replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '—';
  return (
    `events ${num.format(p.records)} (${num.format(Math.round(p.perSecond))}/s) | event time ${clock}${p.endOfInput ? ' (end of input)' : ''} | ` +
    `incidents open ${t.openIncidents}, resolved ${t.resolved} | ` +
    `alerts firing ${f.critical} crit, ${f.high} high, ${f.medium} med, ${f.low} low`
  );
}

export class ProgressReporter {
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lastAt = 0;
  private lastRecords = 0;
  private wroteInPlace = false;

  constructor(
    private readonly source: ProgressSource,
    private readonly options: ProgressOptions,
  ) {
    this.tty = options.tty ?? Boolean((options.stream as { isTTY?: boolean }).isTTY);
    this.intervalMs = options.intervalMs ?? (this.tty ? 200 : 5000);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.lastAt = this.now();
    this.lastRecords = this.source.records();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes one update (also called by the timer). */
  tick(): void {
    const now = this.now();
    const records = this.source.records();
    const seconds = Math.max(1e-3, (now - this.lastAt) / 1000);
    const line = progressLine({
      records,
      perSecond: (records - this.lastRecords) / seconds,
      clock: this.source.tally.clock,
      tally: this.source.tally,
      lastEventAt: this.source.lastEventAt?.(),
      endOfInput: this.source.inputEnded?.(),
    });
    this.lastAt = now;
    this.lastRecords = records;
    if (this.tty) {
      // One screen line, or the carriage return cannot rewrite it.
      const columns = (this.options.stream as { columns?: number }).columns;
      this.options.stream.write(`\r${columns && line.length >= columns ? line.slice(0, columns - 1) : line}\x1b[K`);
      this.wroteInPlace = true;
    } else {
      this.options.stream.write(`${line}\n`);
    }
  }

  /** Final update; leaves the cursor on a fresh line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tick();
    if (this.tty && this.wroteInPlace) this.options.stream.write('\n');
  }
}
