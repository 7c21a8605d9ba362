/**
 * The soak's Avro input (`SOAK_FORMAT=avro`): the deployment's input
 * subjects registered in the schema registry as `driftwatch schemas
 * register` does, and every scenario record that is a valid event produced
 * in Confluent wire format with its type's schema; the rest (malformed lines,
 * invalid events) stays as its bytes, as a producer's garbage would. Replay
 * reads the same events as JSON lines, so its outputs are the reference
 * unchanged — except the reason of a dead letter that is not JSON, which an
 * engine with a registry words as not JSON and not Avro either.
 */
import type { LiveTopics } from '../integration/live/live-env.js';
import type { InputRecord } from '../integration/live/scenario-records.js';
import { createRegistryClient } from '../../schemas/registry/registry-client.js';
import { RegistryAdmin } from '../../schemas/registry/registry-admin.js';
import { driftwatchSubjects, registerSubject } from '../../schemas/registry/register-schemas.js';
import { validateInputEvent } from '../../schemas/input-events.js';
import { deleteSubjects } from '../integration/registry/registry-env.js';
import { NEITHER_JSON_NOR_AVRO } from '../../schemas/registry/registry-decoder.js';

/** Registers the input subjects of `topics` and returns `records` with `wire` set on each valid event, and a cleanup. */
export async function avroRecords(url: string, topics: LiveTopics, records: readonly InputRecord[]): Promise<{ records: InputRecord[]; avro: number; cleanup: () => Promise<void> }> {
  const specs = driftwatchSubjects(topics).slice(0, 3); // the inputs; alerts stay JSON
  const admin = new RegistryAdmin(url);
  const ids = new Map<string, number>();
  for (const spec of specs) ids.set(spec.topic, (await registerSubject(admin, spec)).id);
  const client = createRegistryClient(url);
  let avro = 0;
  const out: InputRecord[] = [];
  for (const r of records) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.value);
    } catch {
      parsed = undefined;
    }
    const checked = validateInputEvent(parsed);
    if (checked.ok) {
      out.push({ ...r, wire: await client.encode(ids.get(topics[checked.event.type])!, checked.event) });
      avro++;
    } else out.push(r);
  }
  return { records: out, avro, cleanup: () => deleteSubjects(url, specs.map((s) => s.subject)) };
}

/** Replay's dead-letter reason as an engine with a registry words it (test/integration/registry/avro-pipeline.test.ts). */
export function avroDeadLetterReason(reason: string): string {
  return reason.replace(/^invalid JSON: /, `invalid Avro/JSON: ${NEITHER_JSON_NOR_AVRO}`);
}
