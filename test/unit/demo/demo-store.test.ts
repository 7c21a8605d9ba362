import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MARKER, demoStoreDir, markDemoStore, prepareDemoStore } from '../../../engine/demo/demo-store.js';
import { ConfigError } from '../../../lib/errors.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'dw-demo-store-'));

describe('demo store directory', () => {
  it('lives at <data dir>/store, where driftwatch query looks by default', () => {
    expect(demoStoreDir('.data')).toBe(join('.data', 'store'));
  });

  it('clears the previous demo store, and only that', () => {
    const store = join(fresh(), 'store');
    expect(prepareDemoStore(store)).toEqual({ cleared: false }); // nothing there yet
    mkdirSync(join(store, 'data'), { recursive: true });
    markDemoStore(store, { seed: 1 });
    expect(JSON.parse(readFileSync(join(store, DEMO_MARKER), 'utf8'))).toMatchObject({ writtenBy: 'driftwatch demo', seed: 1 });
    expect(prepareDemoStore(store)).toEqual({ cleared: true });
    expect(existsSync(store)).toBe(false);
  });

  it('refuses to touch a store it did not write, and says how to proceed', () => {
    const store = join(fresh(), 'store');
    mkdirSync(join(store, 'data'), { recursive: true });
    writeFileSync(join(store, 'data', 'part'), 'live data');
    expect(() => prepareDemoStore(store)).toThrow(ConfigError);
    expect(() => prepareDemoStore(store)).toThrow(/DRIFTWATCH_DATA_DIR.*did not write.*DRIFTWATCH_DATA_DIR=\.data-demo/s);
    expect(readFileSync(join(store, 'data', 'part'), 'utf8')).toBe('live data');
  });
});
