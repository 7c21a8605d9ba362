/**
 * What the chaos soak does next to its engine instances, drawn from a seeded
 * generator (engine/demo/prng.ts): the same seed and the same cluster states
 * give the same faults, so a failing run's printed seed names its schedule.
 * (Which states it meets depends on timing — how long a stop takes — so a
 * replay of a seed is close to, not exactly, the run it repeats.)
 */
import { Prng } from '../../engine/demo/prng.js';

/**
 * Every kind; the broker faults — `broker-restart` (SIGTERM the soak's own broker, start it again) and `broker-kill`
 * (kill -9 of its JVM, start it again) — only when asked for by name.
 */
export const FAULT_KINDS = ['kill', 'term', 'restart', 'scale-out', 'broker-restart', 'broker-kill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const DEFAULT_KINDS: readonly FaultKind[] = ['kill', 'term', 'restart', 'scale-out'];
const BROKER_KINDS: readonly FaultKind[] = ['broker-restart', 'broker-kill'];

/** A fault on the soak's own broker rather than on an instance (a run with one needs a broker of its own). */
export function isBrokerFault(kind: FaultKind): boolean {
  return BROKER_KINDS.includes(kind);
}

/**
 * `SOAK_FAULTS`: a comma-separated subset of the kinds (e.g. `term,restart,scale-out`: no kill -9), or the four
 * instance faults when unset. An unknown kind is an error, not ignored (a typo would run another soak than asked),
 * and so is a list without a stop (kill or term) or a broker fault: nothing could happen while instances run.
 */
export function parseFaultKinds(text: string | undefined): ReadonlySet<FaultKind> {
  if (!text?.trim()) return new Set(DEFAULT_KINDS);
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`SOAK_FAULTS: unknown fault kind(s) ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  if (!kinds.some((k) => k === 'kill' || k === 'term' || isBrokerFault(k as FaultKind))) throw new Error('SOAK_FAULTS: needs kill, term, broker-restart or broker-kill');
  return new Set(kinds as FaultKind[]);
}

export interface Fault {
  kind: FaultKind;
  /** The instance id it acts on (a new one for scale-out; empty for a broker fault). */
  instance: string;
}

export interface ClusterState {
  /** Instance ids with a process that has not exited. */
  running: readonly string[];
  /** Instance ids whose process exited (killed or stopped) and that may start again. */
  stopped: readonly string[];
}

export interface ScheduleOptions {
  /** At most this many processes at once (the machine's budget). */
  maxRunning: number;
  /** False: one instance id only, restarted in place (every output, per-env rules' too, is then comparable with replay). */
  scaleOut: boolean;
  /** The kinds it may draw (default: the four instance faults). A start when nothing runs happens whatever this says. */
  kinds?: ReadonlySet<FaultKind>;
}

export class FaultSchedule {
  private readonly prng: Prng;
  private instances = 0;

  constructor(
    readonly seed: number,
    private readonly options: ScheduleOptions,
  ) {
    this.prng = new Prng(seed);
  }

  /** A fresh instance id (i1, i2, …): the initial ones and each scale-out. */
  newInstance(): string {
    return `i${++this.instances}`;
  }

  /** Wall-clock ms to wait before the next fault: [minMs, maxMs]. */
  pause(minMs: number, maxMs: number): number {
    return this.prng.ms(minMs, maxMs);
  }

  /**
   * The next fault for `state`, among the allowed kinds. Nothing running: start one. Otherwise kill -9 or SIGTERM a
   * running one, start a stopped one again, start one under a new id, or stop (SIGTERM) or kill -9 the broker and
   * start it again, each when it is possible (a SIGTERM never restarted is a scale-in).
   */
  next(state: ClusterState): Fault {
    const { maxRunning, scaleOut, kinds = new Set(DEFAULT_KINDS) } = this.options;
    const room = state.running.length < maxRunning;
    const choices: Array<[FaultKind, number, () => Fault]> = [
      ['kill', state.running.length > 0 ? 3 : 0, () => ({ kind: 'kill', instance: this.prng.pick(state.running) })],
      ['term', state.running.length > 0 ? 3 : 0, () => ({ kind: 'term', instance: this.prng.pick(state.running) })],
      // Nothing running makes a start certain: the other weights are 0 then.
      ['restart', room && state.stopped.length > 0 ? (state.running.length === 0 ? 1 : 4) : 0, () => ({ kind: 'restart', instance: this.prng.pick(state.stopped) })],
      ['scale-out', room && scaleOut ? 1 : 0, () => ({ kind: 'scale-out', instance: this.newInstance() })],
      // Rarer than an instance fault: each one stalls every instance for the broker's restart (several seconds).
      ['broker-restart', state.running.length > 0 ? 2 : 0, () => ({ kind: 'broker-restart', instance: '' })],
      ['broker-kill', state.running.length > 0 ? 2 : 0, () => ({ kind: 'broker-kill', instance: '' })],
    ];
    const weights = choices.map(([kind, w]) => (kinds.has(kind) ? w : 0));
    // Nothing allowed fits only when nothing runs (parseFaultKinds keeps a stop or a broker fault): start one.
    if (weights.every((w) => w === 0)) {
      return state.stopped.length > 0 ? { kind: 'restart', instance: this.prng.pick(state.stopped) } : { kind: 'scale-out', instance: this.newInstance() };
    }
    return choices[this.prng.weighted(weights)]![2]();
  }
}
