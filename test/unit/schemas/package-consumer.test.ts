/**
 * driftwatch as a library (README "Consuming alerts"): a TypeScript consumer
 * in a directory of its own, with driftwatch in its node_modules (a symlink,
 * as `npm install ../driftwatch` makes), imports `driftwatch/schemas`,
 * type-checks with tsc against the emitted declarations and runs; so does
 * the README's snippet (type-checked only: it is part of a consumer).
 *
 * It uses the built dist/ rather than building: a build here would rewrite
 * dist/ under the other test files that run the built CLI at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { assertBuilt, repoRoot } from '../../integration/live/engine-process.js';
import { T0, alert } from '../store/fixtures.js';

const run = promisify(execFile);

/** A firing alert as the engine writes it (JSON leaves out the absent optional fields). */
const ALERT = alert(T0, { annotations: { summary: 'prod/catalog drifted', description: 'serving sha256:bad', notify: 'On-Call Engineer' } });

/** Uses every export a consumer or producer needs; prints what it found as one JSON line. */
const CONSUMER = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  avroSchemas, parseAlertEvent, validateAlertEvent, validateInputEvent,
  type AlertEvent, type DecodedAlertEvent, type PromotionEvent,
} from 'driftwatch/schemas';

const alert: AlertEvent | DecodedAlertEvent = parseAlertEvent(Buffer.from(process.argv[2]!, 'utf8'));
const decoded: DecodedAlertEvent = {
  ...(alert as AlertEvent),
  annotations: { ...alert.annotations, runbookUrl: null, notify: alert.annotations.notify ?? null, channels: null, respondWithin: null },
  endsAt: null, incidentId: null, correlationId: null,
};
const promotion: PromotionEvent = {
  type: 'promotion', eventId: 'e-1', occurredAt: '2026-11-27T10:00:00.000Z', env: 'prod', artifact: 'search',
  promotionId: 'p-1', phase: 'started', version: '1.2.0', digest: 'sha256:ab',
};
const avsc = createRequire(import.meta.url).resolve('driftwatch/schemas/avro/alert-event.avsc');
const internal = 'driftwatch/dist/engine/live/live-runner.js';

console.log(JSON.stringify({
  rule: alert.rule,
  notify: alert.annotations.notify,
  open: alert.endsAt == null,
  decodedValid: validateAlertEvent(decoded).ok,
  wrongSeverity: validateAlertEvent({ ...alert, severity: 'urgent' }),
  notJson: (() => { try { parseAlertEvent('{"rule":'); return 'parsed'; } catch (err) { return (err as Error).message; } })(),
  promotionValid: validateInputEvent(promotion).ok,
  promotionWithoutVersion: validateInputEvent({ ...promotion, version: undefined }),
  avroRecord: (avroSchemas()['alert-event'] as { name: string }).name,
  avscMatches: JSON.stringify(JSON.parse(readFileSync(avsc, 'utf8'))) === JSON.stringify(avroSchemas()['alert-event']),
  internal: await import(internal).then(() => 'importable', (err: NodeJS.ErrnoException) => err.code),
}));
`;

/** Misuse the types must refuse: each marked line must fail with that error, and nothing else may. */
const MISUSE = `
import { parseAlertEvent, type PromotionEvent } from 'driftwatch/schemas';
import { LiveRunner } from 'driftwatch/dist/engine/live/live-runner.js'; // TS2307 internals are not exported
const alert = parseAlertEvent('{}');
export const priority = alert.priority; // TS2339 no such field
export const unchecked = alert.endsAt.length; // TS18049 absent in JSON, null from Avro
export const phase: PromotionEvent['phase'] = 'begun'; // TS2322 not a phase
export { LiveRunner };
`;

/** The ts block of README "Consuming alerts", with what it takes from the README's kafkajs consumer declared. */
function readmeSnippet(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n### Consuming alerts\n');
  const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
  const code = /```ts\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!code) throw new Error('README: no ts block under "### Consuming alerts"');
  return `${code}\ndeclare const message: { value: Buffer };\ndeclare const registry: { decode(buffer: Buffer): Promise<unknown> };\n`;
}

let dir: string;

beforeAll(() => {
  assertBuilt();
  if (!existsSync(join(repoRoot, 'dist/schemas/index.d.ts'))) throw new Error('dist/schemas/index.d.ts is missing: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'package-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'driftwatch'), 'dir');
  symlinkSync(join(repoRoot, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pager', private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      // skipLibCheck off: driftwatch's declarations must type-check too.
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: false, outDir: 'out' },
      files: ['consumer.ts', 'misuse.ts', 'readme.ts'],
    }),
  );
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
  writeFileSync(join(dir, 'misuse.ts'), MISUSE);
  writeFileSync(join(dir, 'readme.ts'), readmeSnippet());
});

it('a TypeScript consumer imports driftwatch/schemas, type-checks against its declarations and validates an alert', async () => {
  const tsc = await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir }).then(
    () => '',
    (err: { stdout: string }) => err.stdout,
  );
  // Every error as `file(line) code`: exactly the marked lines of MISUSE, none elsewhere.
  const errors = [...tsc.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+)/gm)].map(([, file, line, code]) => `${file}(${line}) ${code}`);
  const expected = MISUSE.split('\n').flatMap((line, index) => /\/\/ (TS\d+)/.exec(line)?.slice(1).map((code) => `misuse.ts(${index + 1}) ${code}`) ?? []);
  expect(expected).toHaveLength(4);
  expect(errors.sort(), tsc).toEqual(expected.sort());

  const { stdout } = await run(process.execPath, [join(dir, 'out', 'consumer.js'), JSON.stringify(ALERT)], { cwd: dir });
  expect(JSON.parse(stdout)).toEqual({
    rule: 'drift_detected',
    notify: 'On-Call Engineer',
    open: true,
    decodedValid: true,
    wrongSeverity: { ok: false, error: 'severity: expected one of critical, high, medium, low, got "urgent"' },
    notJson: expect.stringMatching(/^not a driftwatch alert: not JSON/),
    promotionValid: true,
    promotionWithoutVersion: { ok: false, error: 'version: is required when phase is started' },
    avroRecord: 'AlertEvent',
    avscMatches: true,
    internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });
});
