/**
 * `npm run bench:replay`: how fast `replay` runs compared with merely reading
 * and parsing the same NDJSON, and whether its memory is bounded by keys
 * rather than events.
 *
 * 1. Generates N events (default 1,000,000) over K keys (default 1000) with
 *    the demo's scenario generator, and N/2 events over the same keys, to
 *    temporary NDJSON files.
 * 2. Runs, each in its own `node --expose-gc` child (so memory peaks do not
 *    mix): the baseline (read, split, JSON.parse), replay with the embedded
 *    store (the real job), and replay without the store (the engine alone);
 *    at the full size also the floor under replay: the framing with no
 *    processor, storing the raw history with no engine, and both together
 *    (replay with no processor at all) (bench-types.ts).
 * 3. Prints a table and the ratios, and writes bench/results/replay-latest.json.
 *    Besides wall time, each run reports the CPU time of its main thread and
 *    of all its threads (bench/thread-cpu.ts): the main thread is where the
 *    engine runs, the other threads are V8's GC helpers and the embedded
 *    store's native workers. On two shared cores these say where the time
 *    goes, and the main-thread ratio moves far less with the machine's load.
 *
 * Memory: at a fixed number of keys and a fixed event rate, more events
 * means a longer event-time span. The engine's state is per key, except the
 * dedup set (eventIds of the last `dedupHorizon`, 1 h by default), which
 * plateaus once the span exceeds it (timers are bounded by keys: a key's
 * timer only ever moves earlier between firings, so observations leave no
 * stale entries behind). Each source therefore reports every 60 s here (not the
 * demo's 30 s), so even the half run spans more than the dedup horizon and
 * the two runs compare plateau with plateau.
 *
 * Flags: --events N, --keys K, --observe-every <ms> (default 60000),
 * --profile (children write .cpuprofile files to bench/results/profiles),
 * --keep (keep the generated files).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { optionsForRecords } from '../engine/demo/scenario-options.js';
import { benchModes, floorModes, type BenchMode, type WorkerResult } from './bench-types.js';
import { resultsTable } from './bench-table.js';
import { writeScenarioFile, type WrittenScenario } from './write-scenario.js';

/** Target of SPEC-level performance: replay at ≥ 30 % of the speed of reading + parsing. */
const TARGET_RATIO = 0.3;
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const workerPath = fileURLToPath(new URL('./bench-worker.js', import.meta.url));

function runWorker(mode: BenchMode, file: string, profileDir?: string): Promise<WorkerResult> {
  const args = ['--expose-gc', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${mode}-${Date.now()}.cpuprofile`] : []), workerPath, mode, file];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${mode} worker exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '1000000' }, keys: { type: 'string', default: '1000' }, 'observe-every': { type: 'string', default: '60000' }, profile: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
  });
  const events = Number(values.events);
  const keys = Number(values.keys);
  if (!Number.isInteger(events) || events < 1000) throw new Error(`--events: expected an integer ≥ 1000, got ${values.events}`);
  if (!Number.isInteger(keys) || keys < 1) throw new Error(`--keys: expected an integer ≥ 1, got ${values.keys}`);
  const observeEveryMs = Number(values['observe-every']);
  const resultsDir = join(repoRoot, 'bench', 'results');
  const profileDir = values.profile ? join(resultsDir, 'profiles') : undefined;
  mkdirSync(profileDir ?? resultsDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'dw-replay-bench-'));
  const loadBefore = loadavg();
  const log = (text: string) => process.stderr.write(text + '\n');

  try {
    const sizes = [
      { size: 'half', events: Math.floor(events / 2) },
      { size: 'full', events },
    ];
    const files: Record<string, WrittenScenario> = {};
    for (const s of sizes) {
      log(`generating ${s.events.toLocaleString('en-US')} events over ${keys} keys…`);
      files[s.size] = await writeScenarioFile(join(dir, `${s.size}.ndjson`), optionsForRecords(s.events, keys, { seed: 7, observeEveryMs }));
      const f = files[s.size]!;
      log(`  ${f.records.toLocaleString('en-US')} records, ${(f.bytes / 1e6).toFixed(0)} MB, ${(f.spanMs / 3.6e6).toFixed(1)} h of event time, in ${(f.ms / 1000).toFixed(1)} s`);
    }
    const runs: Array<WorkerResult & { size: string }> = [];
    for (const s of [...sizes].reverse()) {
      for (const mode of benchModes) {
        if (s.size !== 'full' && floorModes.includes(mode)) continue; // the floor needs one size only
        log(`${s.size}: ${mode}…`);
        const r = await runWorker(mode, files[s.size]!.path, profileDir);
        runs.push({ ...r, size: s.size });
        log(`  ${r.seconds.toFixed(1)} s, ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s, peak RSS ${(r.peakRssBytes / 1048576).toFixed(0)} MB`);
      }
    }
    const get = (size: string, mode: BenchMode) => runs.find((r) => r.size === size && r.mode === mode)!;
    const base = get('full', 'baseline');
    // Main-thread CPU per record, baseline over mode: the same ratio in work done rather than wall time, which the
    // other load on a shared machine moves far less (the store's own threads are not in it: see the all-threads column).
    const cpuRatio = (mode: BenchMode) => {
      const b = base.cpu?.mainThreadMs;
      const m = get('full', mode).cpu?.mainThreadMs;
      return b === undefined || m === undefined || m === 0 ? undefined : b / m;
    };
    const ratios = {
      replayVsBaseline: get('full', 'replay').recordsPerSecond / base.recordsPerSecond,
      replayNoStoreVsBaseline: get('full', 'replay-nostore').recordsPerSecond / base.recordsPerSecond,
      replayMainThreadCpuVsBaseline: cpuRatio('replay'),
      replayNoStoreMainThreadCpuVsBaseline: cpuRatio('replay-nostore'),
      frameVsBaseline: get('full', 'frame').recordsPerSecond / base.recordsPerSecond,
      storeOnlyVsBaseline: get('full', 'store-only').recordsPerSecond / base.recordsPerSecond,
      floorVsBaseline: get('full', 'floor').recordsPerSecond / base.recordsPerSecond,
      floorMainThreadCpuVsBaseline: cpuRatio('floor'),
    };
    const memory = Object.fromEntries(
      (['replay', 'replay-nostore'] as const).map((mode) => [
        mode,
        {
          halfPeakRssMB: get('half', mode).peakRssBytes / 1048576,
          fullPeakRssMB: get('full', mode).peakRssBytes / 1048576,
          halfPeakHeapMB: get('half', mode).peakHeapUsedBytes / 1048576,
          fullPeakHeapMB: get('full', mode).peakHeapUsedBytes / 1048576,
          halfLiveHeapMB: get('half', mode).peakLiveHeapBytes / 1048576,
          fullLiveHeapMB: get('full', mode).peakLiveHeapBytes / 1048576,
        },
      ]),
    );
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverage: { before: loadBefore, after: loadavg() },
      keys,
      observeEveryMs,
      files: Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { records: f.records, events: f.events, duplicates: f.duplicates, malformed: f.malformed, bytes: f.bytes, spanMs: f.spanMs }])),
      runs: runs.map(({ file: _file, ...r }) => r),
      ratios,
      targetRatio: TARGET_RATIO,
      memory,
    };
    const out = join(resultsDir, 'replay-latest.json');
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write('\n' + resultsTable(runs));
    process.stdout.write(
      `\nreplay (store on) / baseline: ${pct(ratios.replayVsBaseline)} (target ≥ ${pct(TARGET_RATIO)}: ${ratios.replayVsBaseline >= TARGET_RATIO ? 'met' : 'NOT met'}); ` +
        `replay (store off) / baseline: ${pct(ratios.replayNoStoreVsBaseline)}\n` +
        (ratios.replayMainThreadCpuVsBaseline === undefined
          ? ''
          : `main-thread CPU per record, baseline / mode: replay ${pct(ratios.replayMainThreadCpuVsBaseline)}, replay (store off) ${pct(ratios.replayNoStoreMainThreadCpuVsBaseline ?? 0)}\n`) +
        budgetLine(base.recordsPerSecond, get('full', 'replay-nostore'), get('full', 'replay'), get('full', 'floor')) +
        `the floor, each alone / baseline: framing with no processor (decode, validate, dedup, order) ${pct(ratios.frameVsBaseline)}, ` +
        `storing the raw history with no engine ${pct(ratios.storeOnlyVsBaseline)}; ` +
        `both together, replay with no processor at all (floor) ${pct(ratios.floorVsBaseline)}` +
        (ratios.floorMainThreadCpuVsBaseline === undefined ? '' : ` (main-thread CPU ${pct(ratios.floorMainThreadCpuVsBaseline)})`) +
        (ratios.floorVsBaseline < TARGET_RATIO ? ` — below the target before any detection logic runs` : '') +
        `\n` +
        `memory, ${keys} keys, ${files.half!.records.toLocaleString('en-US')} vs ${files.full!.records.toLocaleString('en-US')} records: ` +
        (['replay', 'replay-nostore'] as const)
          .map((m) => `${m} peak RSS ${memory[m]!.halfPeakRssMB.toFixed(0)} vs ${memory[m]!.fullPeakRssMB.toFixed(0)} MB, peak heap ${memory[m]!.halfPeakHeapMB.toFixed(0)} vs ${memory[m]!.fullPeakHeapMB.toFixed(0)} MB, live heap ${memory[m]!.halfLiveHeapMB.toFixed(0)} vs ${memory[m]!.fullLiveHeapMB.toFixed(0)} MB`)
          .join('; ') +
        `\n` +
        `load average before/after: ${loadBefore.map((l) => l.toFixed(1)).join(' ')} / ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${cpus().length} CPUs)\n` +
        `wrote ${out}${profileDir ? ` and CPU profiles in ${profileDir}` : ''}\n`,
    );
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept the generated files in ${dir}`);
  }
}

/**
 * What the target leaves per record, beside what the engine spends: the wall
 * time per record at TARGET_RATIO of the baseline, the engine thread's CPU per
 * record alone, and the whole store-on run's CPU per record spread over every
 * core (the best any split of the work over threads could do) — and the same
 * for the floor, replay with no processor at all: when even that spread over
 * every core reaches the budget, no speed-up of the processors alone can meet
 * the target on this machine.
 */
function budgetLine(baselinePerSec: number, engineAlone: WorkerResult, storeOn: WorkerResult, floor: WorkerResult): string {
  const perRecordUs = (ms: number | undefined, r: WorkerResult) => (ms === undefined ? undefined : (ms * 1000) / r.records);
  const engine = perRecordUs(engineAlone.cpu?.mainThreadMs, engineAlone);
  const all = perRecordUs(storeOn.cpu?.processMs, storeOn);
  const floorAll = perRecordUs(floor.cpu?.processMs, floor);
  if (engine === undefined || all === undefined || floorAll === undefined) return '';
  const budget = 1e6 / (baselinePerSec * TARGET_RATIO);
  const cores = cpus().length;
  return (
    `budget at the target: ${budget.toFixed(1)} µs of wall time per record; the engine thread alone spends ${engine.toFixed(1)} µs of CPU, ` +
    `the store-on run ${all.toFixed(1)} µs over all threads (${(all / cores).toFixed(1)} µs per record spread over ${cores} cores), ` +
    `the floor (no processor at all) ${floorAll.toFixed(1)} µs over all threads (${(floorAll / cores).toFixed(1)} µs spread over ${cores} cores: ` +
    `${pct(floorAll / cores / budget)} of the budget before any detection logic)\n`
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`replay-bench: ${(err as Error)?.message ?? String(err)}\n`);
  process.exitCode = 1;
});
