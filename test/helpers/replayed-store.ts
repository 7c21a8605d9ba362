/** A fixture replayed into an embedded store once for a test file's tests, the store closed after them. */
import { beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../store/open-store.js';
import type { ChdbTransport } from '../../store/chdb-transport.js';
import { replayFixture, type ReplayOutput } from './replay-fixture.js';

/**
 * Registers the file's beforeAll / afterAll; read `replay` and `store` inside tests (set once beforeAll ran).
 * `fixture` names a fixture, or is a function that replays (e.g. the dashboard scenario's replayScenario).
 */
export function replayedStore(fixture: string | (() => Promise<ReplayOutput>)): { readonly replay: ReplayOutput; readonly store: ChdbTransport } {
  let replay: ReplayOutput | undefined;
  let store: ChdbTransport | undefined;
  beforeAll(async () => {
    replay = typeof fixture === 'string' ? await replayFixture(fixture, { store: true }) : await fixture();
    store = await openEmbeddedStore(join(replay.outDir, 'store'));
  });
  afterAll(async () => {
    await store?.close();
  });
  return {
    get replay() {
      if (!replay) throw new Error(`${String(fixture)} has not been replayed yet (read it inside a test)`);
      return replay;
    },
    get store() {
      if (!store) throw new Error(`${String(fixture)}'s store is not open yet (read it inside a test)`);
      return store;
    },
  };
}
