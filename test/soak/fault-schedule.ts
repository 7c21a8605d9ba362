/**
 * What the chaos soak does next to its engine instances, drawn from a seeded
 * generator (engine/demo/prng.ts): the same seed and the same cluster states
 * give the same faults, so a failing run's printed seed names its schedule.
 * (Which states it meets depends on timing — how long a stop takes — so a
 * replay of a seed is close to, not exactly, the run it repeats.)
 */
import { Prng } from '../../engine/demo/prng.js';

export type FaultKind = 'kill' | 'term' | 'restart' | 'scale-out';

export interface Fault {
  kind: FaultKind;
  /** The instance id it acts on (a new one for scale-out). */
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
   * The next fault for `state`. Nothing running: start one. Otherwise kill -9 or SIGTERM a running one, start a
   * stopped one again, or start one under a new id, each when it is possible (a SIGTERM never restarted is a
   * scale-in).
   */
  next(state: ClusterState): Fault {
    const { maxRunning, scaleOut } = this.options;
    const room = state.running.length < maxRunning;
    const choices: Array<[number, () => Fault]> = [
      [state.running.length > 0 ? 3 : 0, () => ({ kind: 'kill', instance: this.prng.pick(state.running) })],
      [state.running.length > 0 ? 3 : 0, () => ({ kind: 'term', instance: this.prng.pick(state.running) })],
      // Nothing running makes a start certain: the other weights are 0 then.
      [room && state.stopped.length > 0 ? (state.running.length === 0 ? 1 : 4) : 0, () => ({ kind: 'restart', instance: this.prng.pick(state.stopped) })],
      [room && scaleOut ? 1 : 0, () => ({ kind: 'scale-out', instance: this.newInstance() })],
    ];
    const weights = choices.map(([w]) => w);
    if (weights.every((w) => w === 0)) return { kind: 'scale-out', instance: this.newInstance() };
    return choices[this.prng.weighted(weights)]![1]();
  }
}
