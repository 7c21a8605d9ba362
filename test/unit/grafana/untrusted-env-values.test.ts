/**
 * Env and artifact names are producers' free text (SPEC §3: up to 1024
 * characters; env without "/"), and every dashboard filters on the env
 * variable. The dashboard scenario is replayed twice: as it is, and with its
 * envs and artifacts renamed to names holding ' \ " . | ( ) $ — one env a
 * prefix of another. For every selection, every panel that filters on env
 * must give on the renamed store exactly the rows the original store gives
 * for the original names (names mapped back), and no SQL error: a name is
 * data, never SQL or a pattern. The env variable's own query must offer the
 * names exactly, with the values the panels are given (envOptionValue), and
 * the panel SQL goes through Grafana's formats (grafana-variables.ts).
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../../store/open-store.js';
import type { ChdbTransport } from '../../../store/chdb-transport.js';
import { replayFixture } from '../../helpers/replay-fixture.js';
import { expandGrafanaSql } from './grafana-macros.js';
import { variableReferences } from './grafana-variables.js';
import { dashboards, envOptionValue, envOptions, panelContext, panelTargets, type EnvSelection } from './panel-runner.js';
import { replayScenario, scenarioFrom, scenarioTo, writeCombinedFixture } from './scenario.js';

/**
 * Original name → hostile name: `q.a|(` is a prefix of `q.a|(x)$`, `st\a"ge\` ends in a backslash. The prod name
 * still matches the default alerts' `prod*` (severity high), so the engine judges both scenarios alike.
 */
const envNames = new Map([
  ['prod', "prod's"],
  ['staging', 'st\\a"ge\\'],
  ['qa', 'q.a|(x)$'],
  ['dev', 'q.a|('],
]);
const artifactNames = new Map([
  ['pay', "pa'y"],
  ['api', 'a\\pi'],
  ['web', 'w.e|b'],
  ['search', 'se(arch$'],
  ['billing', "bi\\ll'"],
  ['cfg', 'c"f\\'],
]);

const hostile = (env: string) => envNames.get(env)!;
const selections: EnvSelection[] = [['prod'], ['staging'], ['qa'], ['dev'], ['dev', 'qa'], ['staging', 'prod'], 'All'];

/** Every hostile name back to its original, longest first, in one pass (a name may hold another). */
const back = new Map([...envNames, ...artifactNames].map(([original, renamed]) => [renamed, original]));
const backPattern = new RegExp([...back.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&')).join('|'), 'g');
const mapBack = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v.replace(backPattern, (m) => back.get(m)!) : v])));
/**
 * Rows as sorted JSON lines. Dead letters carry no env and are bucketed by the time the store wrote them (the
 * server's clock, which the two replays do not share): their rows are compared without it.
 */
const sorted = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => JSON.stringify(r.source === 'dead letter' ? { ...r, time: undefined } : r)).sort();

function writeRenamedScenario(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dw-hostile-names-'));
  const path = writeCombinedFixture(dir);
  const lines = readFileSync(path, 'utf8').split('\n').map((line) => {
    if (!line.startsWith('{')) return line;
    const e = JSON.parse(line) as Record<string, unknown>;
    for (const field of ['env', 'fromEnv'] as const) if (typeof e[field] === 'string') e[field] = hostile(e[field]);
    if (typeof e.artifact === 'string') e.artifact = artifactNames.get(e.artifact)!;
    return JSON.stringify(e);
  });
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** The targets that filter on the env variable. */
const envTargets = panelTargets.filter((t) => variableReferences(t.target.rawSql!).some((r) => r.name === 'env'));

const to = scenarioTo();
const key = (env: EnvSelection, target: string) => `${JSON.stringify(env)} ${target}`;

/** A target's rows, sorted (and on the renamed store with the names mapped back), for envs by name; an Error when the query fails. */
async function rowsOf(store: ChdbTransport, t: (typeof envTargets)[number], env: EnvSelection, names: 'original' | 'renamed'): Promise<string[] | Error> {
  try {
    const rows = await store.query(expandGrafanaSql(t.target.rawSql!, panelContext(t.dashboard, t.panel, env, to)));
    return sorted(names === 'renamed' ? mapBack(rows) : rows);
  } catch (e) {
    return e as Error;
  }
}

// One embedded store per process at a time: the original's rows are read first, then its store is closed.
const want = new Map<string, string[] | Error>();
let renamed: ChdbTransport;
let deadLetters: { original: number; renamed: number };

/** Both replays at one wall-clock instant: the alert delay panels measure emittedAt, the engine's clock at emission. */
const fixedNow = Date.now();
async function atFixedClock<T>(replay: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: fixedNow });
  try {
    return await replay();
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  const o = await atFixedClock(replayScenario);
  const original = await openEmbeddedStore(join(o.outDir, 'store'));
  try {
    for (const env of selections) for (const t of envTargets) want.set(key(env, t.key), await rowsOf(original, t, env, 'original'));
  } finally {
    await original.close();
  }
  const r = await atFixedClock(() => replayFixture(writeRenamedScenario(), { store: true }));
  deadLetters = { original: o.dlq.length, renamed: r.dlq.length };
  renamed = await openEmbeddedStore(join(r.outDir, 'store'));
}, 300_000);

afterAll(async () => {
  await renamed?.close();
});

describe('dashboards with env and artifact names holding quotes, backslashes and regex characters', () => {
  it('the renamed scenario is accepted as the original is, and every dashboard offers the names exactly', async () => {
    expect(deadLetters.renamed).toBe(deadLetters.original);
    const offered = [...envNames.values()].sort().map((text) => ({ text, value: envOptionValue(text) }));
    for (const d of dashboards) {
      const options = await envOptions(renamed, d, scenarioFrom, to);
      expect([...options].sort((a, b) => (a.text < b.text ? -1 : 1)), d.uid).toEqual(offered);
    }
  });

  it('every dashboard has panels filtering on env', () => {
    expect(new Set(envTargets.map((t) => t.dashboard.uid)).size).toBe(dashboards.length);
  });

  it('on the original names, every panel runs without error', () => {
    const errors = [...want].filter(([, rows]) => rows instanceof Error).map(([k, e]) => `${k}: ${(e as Error).message}`);
    expect(errors).toEqual([]);
  });

  for (const env of selections) {
    const label = env === 'All' ? 'All' : env.map(hostile).join(' + ');
    it(`selecting ${label}: each panel gives the rows of the original names, and no error`, async () => {
      const failures: string[] = [];
      for (const t of envTargets) {
        const got = await rowsOf(renamed, t, env === 'All' ? env : env.map(hostile), 'renamed');
        const expected = want.get(key(env, t.key))!;
        if (got instanceof Error) failures.push(`${t.key}: ${got.message.split('\n')[0]!.slice(0, 160)}`);
        else if (JSON.stringify(got) !== JSON.stringify(expected)) {
          const extra = got.filter((r) => !(expected as string[]).includes(r));
          const missing = (expected as string[]).filter((r) => !got.includes(r));
          failures.push(`${t.key}: ${got.length} rows, want ${(expected as string[]).length}; got ${extra.slice(0, 1).join(' ')}, want ${missing.slice(0, 1).join(' ')}`);
        }
      }
      expect(failures).toEqual([]);
    }, 120_000);
  }

  it('the comparison is not vacuous: most env-filtered panels have rows for one env', () => {
    const withRows = envTargets.filter((t) => selections.some((env) => env !== 'All' && (want.get(key(env, t.key)) as string[]).length > 0));
    expect(withRows.length).toBeGreaterThan(envTargets.length * 0.8);
  });
});
