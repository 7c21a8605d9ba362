import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentProcessIo, parseNetDev, parseProcIo } from '../../../engine/live/process-io.js';

const procIo = 'rchar: 6976\nwchar: 120\nsyscr: 10\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n';
const netDev = [
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo: 170981029   53161    0    0    0     0          0         0 170981029   53161    0    0    0     0       0          0',
  '  eth0:    1000       10    0    0    0     0          0         0      300       3    0    0    0     0       0          0',
  '  eth1:      24        1    0    0    0     0          0         0       76       1    0    0    0     0       0          0',
].join('\n');

describe('disk and network counters from /proc', () => {
  it('reads read_bytes and write_bytes (storage traffic, not rchar/wchar)', () => {
    expect(parseProcIo(procIo)).toEqual({ diskReadBytes: 4096, diskWriteBytes: 8192 });
    expect(parseProcIo('rchar: 1\n')).toEqual({});
  });

  it('sums receive and transmit bytes over every interface but loopback', () => {
    expect(parseNetDev(netDev)).toEqual({ networkReceiveBytes: 1024, networkTransmitBytes: 376 });
    // Loopback only: no figure rather than a zero that looks like an idle network.
    expect(parseNetDev(netDev.split('\n').slice(0, 3).join('\n'))).toEqual({});
  });

  it('leaves out what /proc does not give', () => {
    const proc = mkdtempSync(join(tmpdir(), 'dw-proc-'));
    expect(currentProcessIo(proc)).toEqual({});
    mkdirSync(join(proc, 'self', 'net'), { recursive: true });
    writeFileSync(join(proc, 'self', 'io'), procIo);
    expect(currentProcessIo(proc)).toEqual({ diskReadBytes: 4096, diskWriteBytes: 8192 });
    writeFileSync(join(proc, 'self', 'net', 'dev'), netDev);
    expect(currentProcessIo(proc)).toEqual({ diskReadBytes: 4096, diskWriteBytes: 8192, networkReceiveBytes: 1024, networkTransmitBytes: 376 });
  });
});
