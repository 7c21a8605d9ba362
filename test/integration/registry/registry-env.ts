/**
 * Schema-registry integration-test harness: the registry is the one named by
 * SCHEMA_REGISTRY_URL (locally: `deploy/schema-registry/registry.sh start`,
 * Apicurio's Confluent-compatible API). `describeRegistry` skips with a notice
 * when it is unset, and fails (instead of skipping) under CI=true or when the
 * URL is set but nothing answers there. Each test names its own topics, so
 * subjects never collide between tests or runs.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';

const HOW_TO_ENABLE =
  'run `eval "$(deploy/schema-registry/registry.sh start | tail -n1)"; export SCHEMA_REGISTRY_URL` (needs Java 17 + Maven)';

const url = (process.env.SCHEMA_REGISTRY_URL ?? '').trim().replace(/\/+$/, '') || null;

async function probe(base: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? undefined : `SCHEMA_REGISTRY_URL=${base}: GET /subjects answered ${res.status} (is it the API root, e.g. …/apis/ccompat/v7?)`;
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).message;
    return `SCHEMA_REGISTRY_URL=${base} but no registry answers there (${cause})`;
  }
}

const problem = url === null ? 'SCHEMA_REGISTRY_URL is unset' : await probe(url);

/** `describe` for tests that need the registry; `body` gets its URL. */
export function describeRegistry(name: string, body: (url: string) => void): void {
  const mustRun = process.env.CI === 'true' || url !== null;
  if (problem && mustRun) {
    describe(name, () => {
      it('has a reachable schema registry', () => {
        throw new Error(`${problem}${process.env.CI === 'true' ? ' (CI=true: registry tests must run, not skip)' : ''}; ${HOW_TO_ENABLE}`);
      });
    });
    return;
  }
  if (problem) console.warn(`[registry] skipping "${name}": ${problem}. To run these tests, ${HOW_TO_ENABLE}.`);
  describe.skipIf(problem !== undefined)(name, () => body(url ?? ''));
}

/** Topic names private to one test: `dwtest.<id>.<name>.v1` (so subject evolution tests start from nothing). */
export function uniqueTopics(): { promotion: string; hydration: string; index: string; alerts: string } {
  const id = randomUUID().slice(0, 8);
  return {
    promotion: `dwtest.${id}.promotion.v1`,
    hydration: `dwtest.${id}.hydration.v1`,
    index: `dwtest.${id}.index.v1`,
    alerts: `dwtest.${id}.alerts.v1`,
  };
}

/** Deletes the subjects (best effort; the local registry keeps everything in memory anyway). */
export async function deleteSubjects(base: string, subjects: string[]): Promise<void> {
  for (const subject of subjects) {
    await fetch(`${base}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' }).catch(() => undefined);
  }
}
