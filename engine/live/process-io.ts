/**
 * Disk and network traffic for the engine's own metrics (seed: Operational
 * Metrics, "CPU, memory, disk I/O, network"), read from Linux's /proc:
 *
 * - disk: `read_bytes` / `write_bytes` of /proc/self/io — what this process
 *   made the storage layer fetch or send (the embedded store's files, logs),
 *   not reads served from the page cache;
 * - network: the receive / transmit byte counters of /proc/self/net/dev,
 *   summed over every interface but loopback. These count the process's
 *   network namespace: in a container, the container's traffic (the engine's,
 *   Kafka and ClickHouse included); on a bare host, the host's. Node has no
 *   per-process socket byte count.
 *
 * Both are counters since boot of the process / namespace. Where /proc or a
 * file is missing (another OS, a restricted sandbox) the figure is left out.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIo {
  diskReadBytes?: number;
  diskWriteBytes?: number;
  networkReceiveBytes?: number;
  networkTransmitBytes?: number;
}

/** `read_bytes` and `write_bytes` of a /proc/<pid>/io text. */
export function parseProcIo(text: string): Pick<ProcessIo, 'diskReadBytes' | 'diskWriteBytes'> {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const out: Pick<ProcessIo, 'diskReadBytes' | 'diskWriteBytes'> = {};
  const read = field('read_bytes');
  const write = field('write_bytes');
  if (read !== undefined) out.diskReadBytes = read;
  if (write !== undefined) out.diskWriteBytes = write;
  return out;
}

/** Receive and transmit bytes of a /proc/net/dev text, over every interface but `lo`. */
export function parseNetDev(text: string): Pick<ProcessIo, 'networkReceiveBytes' | 'networkTransmitBytes'> {
  let receive = 0;
  let transmit = 0;
  let interfaces = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue; // the two header lines
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue;
    receive += fields[0]!;
    transmit += fields[8]!;
    interfaces++;
  }
  return interfaces === 0 ? {} : { networkReceiveBytes: receive, networkTransmitBytes: transmit };
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** This process's disk and network counters now; a figure /proc does not give is absent. */
export function currentProcessIo(procDir = '/proc'): ProcessIo {
  const io = readOr(`${procDir}/self/io`);
  const net = readOr(`${procDir}/self/net/dev`);
  return { ...(io === undefined ? {} : parseProcIo(io)), ...(net === undefined ? {} : parseNetDev(net)) };
}
