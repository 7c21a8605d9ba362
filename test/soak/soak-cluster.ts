/**
 * The soak's engine instances: `driftwatch run` processes of one deployment
 * (test/integration/live/live-env.ts), started, killed, stopped and started
 * again by instance id, with a record of every fault (for the report) and
 * of each process's late-event counter as last scraped (a killed process
 * takes its counters with it). A broker fault stops the soak's own broker
 * (never a shared one) with SIGTERM or kill -9 and starts it again on the same
 * data.
 */
import type { EngineExit, EngineProcess } from '../integration/live/engine-process.js';
import type { LiveDeployment } from '../integration/live/live-env.js';
import { isBrokerFault, type ClusterState, type Fault } from './fault-schedule.js';
import { lostRecords, type EndOffsets } from './broker-loss.js';

export interface FaultRecord extends Fault {
  /** Seconds since the soak began. */
  atS: number;
  /** Input records produced by then. */
  produced: number;
  /** How a stopped process ended. */
  exit?: EngineExit;
  /** A broker fault: seconds from the stop's (or kill's) start until the broker served again. */
  brokerDownS?: number;
  /** A broker fault: acknowledged records it lost, per `topic/partition` (broker-loss.ts); absent when none. */
  lost?: Record<string, number>;
}

/** The soak's own broker (test/integration/live/private-broker.ts): stopped or killed, then started again on the same data. */
export interface RestartableBroker {
  down(): Promise<void>;
  crash(): Promise<void>;
  up(): Promise<void>;
}

export class SoakCluster {
  /** Every process started, in order (their logs and exits for the report). */
  readonly processes: EngineProcess[] = [];
  readonly faults: FaultRecord[] = [];
  /** Every instance id that ever ran: their stores together hold the run's incidents. */
  readonly instances = new Set<string>();
  private readonly current = new Map<string, EngineProcess>();
  private readonly lateSeen = new Map<EngineProcess, number>();

  constructor(
    private readonly d: LiveDeployment,
    private readonly began: number,
    private readonly say: (line: string) => void,
    private readonly broker?: { broker: RestartableBroker; downMs: () => number; endOffsets: () => Promise<EndOffsets> },
  ) {}

  state(): ClusterState {
    const running = [...this.current].filter(([, e]) => e.running).map(([id]) => id);
    return { running, stopped: [...this.instances].filter((id) => !running.includes(id)) };
  }

  running(): EngineProcess[] {
    return [...this.current.values()].filter((e) => e.running);
  }

  async start(instance: string): Promise<EngineProcess> {
    const e = await this.d.startEngine(instance);
    this.instances.add(instance);
    this.current.set(instance, e);
    this.processes.push(e);
    return e;
  }

  /**
   * Applies `fault`; a stop is awaited (SIGTERM: up to its 30 s, then SIGKILL), a start is not (it joins by itself),
   * a broker fault is awaited until the broker serves again.
   */
  async apply(fault: Fault, produced: number): Promise<FaultRecord> {
    const record: FaultRecord = { ...fault, atS: Math.round((Date.now() - this.began) / 100) / 10, produced };
    const e = this.current.get(fault.instance);
    if (isBrokerFault(fault.kind)) {
      if (!this.broker) throw new Error(`a ${fault.kind} needs the soak's own broker`);
      const before = await this.broker.endOffsets();
      const began = Date.now();
      await (fault.kind === 'broker-kill' ? this.broker.broker.crash() : this.broker.broker.down());
      await new Promise((r) => setTimeout(r, this.broker!.downMs()));
      await this.broker.broker.up();
      record.brokerDownS = Math.round((Date.now() - began) / 100) / 10;
      const lost = lostRecords(before, await this.broker.endOffsets());
      if (Object.keys(lost).length > 0) record.lost = lost;
    } else if (fault.kind === 'kill' || fault.kind === 'term') {
      if (!e) throw new Error(`no process for ${fault.instance}`);
      await this.sampleLate(e);
      record.exit = fault.kind === 'kill' ? await e.kill() : await e.terminate();
    } else {
      await this.start(fault.instance);
    }
    this.faults.push(record);
    this.say(`[soak] ${record.atS}s produced=${produced} ${fault.kind} ${fault.instance}${record.exit ? ` → exit ${JSON.stringify(record.exit)}` : ''}${record.brokerDownS !== undefined ? ` → down ${record.brokerDownS}s` : ''}${record.lost ? ` LOST ${JSON.stringify(record.lost)}` : ''}`);
    return record;
  }

  /** Reads the late-event counter of every running process (what a kill -9 would lose). */
  async sampleAll(): Promise<void> {
    await Promise.all(this.running().map((e) => this.sampleLate(e)));
  }

  private async sampleLate(e: EngineProcess): Promise<void> {
    try {
      const n = (await e.metrics()).get('driftwatch_late_events_total');
      if (n !== undefined) this.lateSeen.set(e, Math.max(n, this.lateSeen.get(e) ?? 0));
    } catch {
      // not listening yet (starting), or gone: the last value read stands
    }
  }

  /** Acknowledged records the broker faults lost, over every partition and fault. */
  brokerLost(): number {
    let n = 0;
    for (const f of this.faults) for (const v of Object.values(f.lost ?? {})) n += v;
    return n;
  }

  /** Late events the processes reported, summed over processes (each at its last scrape). */
  lateEventsScraped(): number {
    let n = 0;
    for (const v of this.lateSeen.values()) n += v;
    return n;
  }

  /**
   * Stops every running process with SIGTERM, one at a time: each leaving is a rebalance for the others, and one
   * stopped while it is out of the group with work in flight exits 1 (README: Shutdown), so the next stop waits
   * until the others have restored what they took over.
   */
  async stopAll(): Promise<EngineExit[]> {
    const exits: EngineExit[] = [];
    for (;;) {
      const [e, ...others] = this.running();
      if (!e) return exits;
      await this.sampleLate(e);
      const marks = others.map((o) => o.logs.length);
      exits.push(await e.terminate());
      await Promise.all(others.map((o, i) => o.waitRestored(120_000, marks[i]).catch(() => undefined)));
    }
  }
}
