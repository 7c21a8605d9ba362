/**
 * Chaos soak (opt-in: `npm run soak`, not part of `npm test`): `driftwatch
 * run` instances in one consumer group under random kill -9, SIGTERM,
 * restarts and scale-out while a generated scenario is produced at a steady
 * pace; at the end everything committed must be `replay`'s of the same
 * records (soak-verdict.ts), and so must every table of the instances'
stores (store-snapshot.ts). Settings from the environment:
 *
 *   SOAK_SEED          fault schedule and scenario seed (default: drawn, printed)
 *   SOAK_RECORDS       scenario records (default 60000)
 *   SOAK_KEYS          scenario keys (default 120)
 *   SOAK_RATE          records produced per second (default 200)
 *   SOAK_INSTANCES     most processes at once (default 3); 1 = one id restarted in place, every alert compared
 *   SOAK_FAULT_EVERY   seconds between faults, min-max (default 8-25)
 *   SOAK_FAULTS        the fault kinds drawn, comma-separated (default kill,term,restart,scale-out; fault-schedule.ts);
 *                      broker-restart or broker-kill runs the soak against a broker of its own (private-broker.ts)
 *   SOAK_FORMAT        json (default) or avro: the events in Confluent wire format through SCHEMA_REGISTRY_URL (avro-records.ts)
 *   SOAK_RESULTS       file a JSON line per run is appended to
 *
 * Each run writes its fault list, verdict and every process's log lines to
 * <tmp>/driftwatch-soak/seed-<seed>-…/ (printed), and the instances' data
 * dirs there too unless it passed.
 *
 * Event time runs ahead of the wall clock here (≈ 10 s of the scenario a
 * second at the default rate and keys). The allowed lateness (3 min of event
 * time) and idle timeout (10 s) are generous for a loaded machine's stalls
 * in production; they do not help where live mode judges records late by
 * design: a partition taken over behind its new owner's frontier (README:
 * Correct under restarts), whose records between the two frontiers are late
 * there however large the lateness. Those are counted and reported.
 */
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, expect, onTestFinished } from 'vitest';
import { optionsForRecords } from '../../engine/demo/scenario-options.js';
import { MINUTE } from '../../lib/time.js';
import { describeKafka, readToEnd, testKafka } from '../integration/kafka/kafka-env.js';
import { assertBuilt, storeIncidents, storeRows } from '../integration/live/engine-process.js';
import { createDeployment, waitCommitted } from '../integration/live/live-env.js';
import { generatedRecords, heldTicks, produceRecords, tickRecords } from '../integration/live/scenario-records.js';
import { committedAlerts, mergeIncidents, replayReference } from '../integration/live/reference.js';
import { FAULT_KINDS, FaultSchedule, isBrokerFault, parseFaultKinds } from './fault-schedule.js';
import { PrivateBroker } from '../integration/live/private-broker.js';
import { SoakCluster } from './soak-cluster.js';
import { endOffsets } from './broker-loss.js';
import { soakVerdict } from './soak-verdict.js';
import { avroDeadLetterReason, avroRecords } from './avro-records.js';
import { lateKeys, mapDeadLetterReasons, snapshotDiff, storeSnapshot, type StoreSnapshot } from './store-snapshot.js';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const seed = num('SOAK_SEED', Math.floor(Math.random() * 1e6));
const records = num('SOAK_RECORDS', 60_000);
const keys = num('SOAK_KEYS', 120);
const rate = num('SOAK_RATE', 200);
const maxRunning = num('SOAK_INSTANCES', 3);
const [faultMin, faultMax] = (process.env.SOAK_FAULT_EVERY ?? '8-25').split('-').map((s) => Number(s) * 1000) as [number, number];
const kinds = parseFaultKinds(process.env.SOAK_FAULTS);
const format = process.env.SOAK_FORMAT ?? 'json';
if (format !== 'json' && format !== 'avro') throw new Error(`SOAK_FORMAT: json or avro, not ${format}`);
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? '';
if (format === 'avro' && !registryUrl) throw new Error('SOAK_FORMAT=avro needs SCHEMA_REGISTRY_URL');
const latenessMs = 3 * MINUTE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeKafka('chaos soak', (sharedBrokers) => {
  it(`seed ${seed}: ${records} records, ${keys} keys, ${rate}/s, up to ${maxRunning} instances`, async () => {
    assertBuilt();
    const say = (line: string) => console.log(line);
    say(`[soak] seed=${seed} records=${records} keys=${keys} rate=${rate}/s instances≤${maxRunning} ${format} faults ${[...kinds].join(',')} every ${faultMin / 1000}-${faultMax / 1000}s`);
    // Broker faults need a broker of the soak's own (never the shared one): the whole run is then against it.
    const own = [...kinds].some(isBrokerFault) ? await PrivateBroker.start() : undefined;
    onTestFinished(async () => await own?.remove()); // after the deployment's cleanup, even when its creation failed
    const brokers = own ? [own.address] : sharedBrokers;
    if (own) say(`[soak] own broker at ${own.address}`);
    // Patient enough for a broker restart on a loaded machine (it took 48 s once): retries spaced ≤ 5 s for ≈ 5 min.
    const kafka = testKafka(brokers, 'driftwatch-soak', own ? { retries: 60, initialRetryTime: 300, maxRetryTime: 5000 } : undefined);
    const d = await createDeployment(brokers, 'soak', {
      partitions: 6,
      env: {
        DRIFTWATCH_ALLOWED_LATENESS: '3m', DRIFTWATCH_IDLE_TIMEOUT: '10s', DRIFTWATCH_SESSION_TIMEOUT: '10s',
        ...(format === 'avro' ? { SCHEMA_REGISTRY_URL: registryUrl } : {}),
      },
    });
    // Logs and the verdict outlive the test's temporary directory (test/helpers/temp-root.ts).
    const out = join(process.env.DW_TEST_TMP_BASE ?? tmpdir(), 'driftwatch-soak', `seed-${seed}-${d.id}`);
    mkdirSync(out, { recursive: true });
    const began = Date.now();
    const schedule = new FaultSchedule(seed, { maxRunning, scaleOut: maxRunning > 1, kinds });
    // How long the broker stays down after its stop (1-8 s) is the schedule's draw too. Every partition's end offset,
    // the deployment's and the group's and transactions' internal topics, is compared across each broker fault.
    const checked = [...Object.values(d.topics), '__consumer_offsets', '__transaction_state'];
    const cluster = new SoakCluster(d, began, say, own && { broker: own, downMs: () => schedule.pause(1000, 8000), endOffsets: () => endOffsets(kafka, checked) });
    let keep = true; // the instances' data dirs, copied to `out` unless the run passed
    try {
      const generated = generatedRecords(optionsForRecords(records, keys, { seed, engine: { allowedLatenessMs: latenessMs } }));
      const encoded = format === 'avro' ? await avroRecords(registryUrl, d.topics, generated) : undefined;
      if (encoded) onTestFinished(encoded.cleanup);
      if (encoded) say(`[soak] ${encoded.avro} of ${generated.length} records in Avro`);
      const scenario = encoded?.records ?? generated;
      const ticks = tickRecords(d.partitions);
      for (let i = 0; i < Math.min(2, maxRunning); i++) await cluster.start(schedule.newInstance());

      // Production in the background, paced; its progress is read by the fault loop.
      let produced = 0;
      const slice = 1000;
      const production = (async () => {
        for (let i = 0; i < scenario.length; i += slice) {
          await produceRecords(kafka, d.topics, scenario.slice(i, i + slice), { chunk: 100, ratePerSec: rate, idempotent: true });
          produced = Math.min(scenario.length, i + slice);
        }
      })();
      let done = false;
      void production.finally(() => (done = true));
      while (!done) {
        const wait = schedule.pause(faultMin, faultMax);
        for (const end = Date.now() + wait; Date.now() < end && !done; ) {
          await sleep(Math.min(1000, end - Date.now()));
          await cluster.sampleAll();
        }
        if (!done) await cluster.apply(schedule.next(cluster.state()), produced);
      }
      await production;

      // The end: at least one instance, far-future ticks, everything committed, every process stopped cleanly.
      const { running, stopped } = cluster.state();
      if (running.length === 0) await cluster.apply({ kind: 'restart', instance: stopped[0]! }, produced);
      await produceRecords(kafka, d.topics, ticks);
      await waitCommitted(kafka, d.groupId, d.inputs, heldTicks(d.topics, ticks), { timeoutMs: 600_000, engines: cluster.running() });
      await cluster.sampleAll();
      const finalExits = await cluster.stopAll();
      const alerts = await committedAlerts(kafka, d.topics.alerts);
      const dlqCount = (await readToEnd(kafka, d.topics.dlq, { timeoutMs: 30_000 })).length;
      let lateAudited = 0;
      // Per instance: late events, at how many frontiers (one per takeover that met them), how far behind at most.
      const lateByInstance: Record<string, unknown> = {};
      const stores: Array<Array<Record<string, unknown>>> = [];
      for (const id of cluster.instances) {
        stores.push(await storeIncidents(d.storeDir(id)));
        const [row] = await storeRows(
          d.storeDir(id),
          "SELECT count() AS n, uniqExact(at) AS frontiers, max(JSONExtractInt(details, 'lagMs')) AS maxLagMs FROM driftwatch.audit_log FINAL WHERE action = 'event.late'",
        );
        lateAudited += Number(row?.n ?? 0);
        if (Number(row?.n ?? 0) > 0) lateByInstance[id] = row;
      }
      const shared = cluster.instances.size > 1;
      const liveStore = await storeSnapshot([...cluster.instances].map((id) => d.storeDir(id)), shared);
      let replayStore: StoreSnapshot = new Map();
      const ref = await replayReference([...scenario, ...ticks], d.env, async (dir) => void (replayStore = await storeSnapshot([dir], shared)));
      if (encoded) replayStore = mapDeadLetterReasons(replayStore, avroDeadLetterReason);
      const verdict = soakVerdict(
        {
          alerts, incidents: mergeIncidents(...stores), dlqCount, lateAudited, lateScraped: cluster.lateEventsScraped(),
          lateKeys: await lateKeys([...cluster.instances].map((id) => d.storeDir(id))), shared, store: snapshotDiff(liveStore, replayStore),
          brokerLost: cluster.brokerLost(),
        },
        ref,
      );

      const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, cluster.faults.filter((f) => f.kind === k).length]));
      const summary = {
        seed, records, keys, rate, maxRunning, durationS: Math.round((Date.now() - began) / 1000), instances: cluster.instances.size,
        faults: counts, lateByInstance, finalExits, nonZeroExits: cluster.faults.filter((f) => f.exit && f.kind === 'term' && f.exit.code !== 0).length,
        ...verdict, out,
      };
      writeFileSync(join(out, 'faults.json'), JSON.stringify(cluster.faults, null, 1));
      writeFileSync(join(out, 'verdict.json'), JSON.stringify(summary, null, 1));
      // The results line counts the differences (verdict.json lists them).
      const count = (x: unknown): unknown => (x && typeof x === 'object' && 'unexplained' in x ? { ...x, unexplained: (x as { unexplained: string[] }).unexplained.length } : x);
      const counted = JSON.parse(JSON.stringify(summary, (_k, v: unknown) => count(v))) as unknown;
      if (process.env.SOAK_RESULTS) appendFileSync(process.env.SOAK_RESULTS, JSON.stringify(counted) + '\n');
      keep = verdict.verdict !== 'pass';
      say(`[soak] verdict ${verdict.verdict}: ${JSON.stringify(counted, null, 1)}`);
      if (verdict.late.audited + verdict.late.scraped > 0) console.warn(`[soak] seed ${seed}: ${verdict.late.audited} late events audited (${verdict.late.scraped} counted) on ${verdict.late.keys} keys; verdict ${verdict.verdict}`);
      expect(verdict.verdict, `seed ${seed} diverged from replay; details in ${out}`).not.toBe('FAIL');
    } finally {
      if (keep) for (const id of cluster.instances) cpSync(d.dataDir(id), join(out, 'data', id), { recursive: true });
      for (const [i, e] of cluster.processes.entries()) writeFileSync(join(out, `${String(i).padStart(2, '0')}-${e.name.replace('#', '-')}.log`), e.stderrText);
      await d.cleanup(kafka);
    }
  }, 3 * 3600_000);
});
