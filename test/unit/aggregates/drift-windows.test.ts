import { describe, it, expect } from 'vitest';
import { DriftWindowsProcessor } from '../../../processors/drift-windows.js';
import { runProcessor } from '../../../processors/processor.js';
import { ConfigError } from '../../../lib/errors.js';
import { MIN, SEC, T0, advance, hydration, indexOp, late, observation, ofKind, promotion } from './facts.js';

const W = 5 * MIN;
const make = () => new DriftWindowsProcessor({ windowMs: W });

describe('DriftWindowsProcessor', () => {
  it('closes a window when a fact at windowEnd arrives; that fact belongs to the next window', () => {
    const p = make();
    const out: ReturnType<typeof runProcessor> = [];
    const feed = (f: Parameters<typeof p.handle>[0]) => p.handle(f, (d) => out.push(d));
    feed(hydration(T0));
    feed(hydration(T0 + W - 1, { status: 'error' }));
    expect(out).toEqual([]);
    feed(hydration(T0 + W));
    const first = ofKind(out, 'drift-window');
    expect(first).toHaveLength(1);
    expect(first[0]!.at).toBe(T0 + W);
    expect(first[0]!.row).toMatchObject({ windowStart: T0, windowEnd: T0 + W, env: 'prod', artifact: 'app', hydrations: 2, hydrationErrors: 1 });
    out.length = 0;
    feed(advance(Infinity));
    const second = ofKind(out, 'drift-window');
    expect(second).toHaveLength(1);
    expect(second[0]!.at).toBe(T0 + 2 * W);
    expect(second[0]!.row).toMatchObject({ windowStart: T0 + W, hydrations: 1, hydrationErrors: 0 });
  });

  it('emits only windows with activity, at windowEnd, and closes on advance', () => {
    const out = runProcessor(make(), [hydration(T0 + 10 * SEC), advance(T0 + 2 * W), hydration(T0 + 3 * W + 1), advance(T0 + 4 * W)]);
    const rows = ofKind(out, 'drift-window');
    expect(rows.map((f) => [f.at, f.row.windowStart])).toEqual([
      [T0 + W, T0],
      [T0 + 4 * W, T0 + 3 * W],
    ]);
  });

  it('counts distinct sources and distinct divergent sources', () => {
    const out = runProcessor(make(), [
      observation(T0, 'hydration:a', false),
      observation(T0 + 1, 'hydration:a', true),
      observation(T0 + 2, 'index:b', false),
      observation(T0 + 3, 'index:b', false),
      observation(T0 + 4, 'index:c', true),
      observation(T0 + 5, 'index:c', true),
      advance(Infinity),
    ]);
    const [row] = ofKind(out, 'drift-window');
    expect(row!.row).toMatchObject({ observations: 6, divergentObservations: 3, sources: 3, divergentSources: 2 });
  });

  it('counts a late event in the window open at the frontier, never reopening a closed one', () => {
    const early = hydration(T0 + 10 * SEC, { artifact: 'api' });
    const out = runProcessor(make(), [
      hydration(T0), // window [T0, T0+W) for prod/app
      advance(T0 + W + 30 * SEC), // closes it
      late(early, T0 + W + 40 * SEC), // occurred in the closed window
      advance(Infinity),
    ]);
    const rows = ofKind(out, 'drift-window').map((f) => f.row);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ windowStart: T0, artifact: 'app', hydrations: 1, lateEvents: 0 });
    // The late event is only counted as late, in the window of the frontier.
    expect(rows[1]).toMatchObject({ windowStart: T0 + W, artifact: 'api', hydrations: 0, observations: 0, lateEvents: 1 });
    const env = ofKind(out, 'env-window').map((f) => f.row);
    expect(env[1]).toMatchObject({ windowStart: T0 + W, env: 'prod', lateEvents: 1 });
  });

  it('counts a late hydration or index op of the window the frontier is still in as an operation there (and as late)', () => {
    const out = runProcessor(make(), [
      indexOp(T0 + MIN, { latencyMs: 10 }),
      // Occurred in [T0, T0+W), learnt at T0 + 3 min: that window has not closed.
      late(indexOp(T0 + 30 * SEC, { status: 'error', latencyMs: 50 }), T0 + 3 * MIN),
      late(hydration(T0 + 40 * SEC, { status: 'error' }), T0 + 3 * MIN),
      advance(Infinity),
    ]);
    const [row] = ofKind(out, 'drift-window').map((f) => f.row);
    expect(row).toMatchObject({ windowStart: T0, hydrations: 1, hydrationErrors: 1, indexOps: 2, indexErrors: 1, indexLatencyP90: 50, lateEvents: 2 });
    expect(ofKind(out, 'env-window')[0]!.row).toMatchObject({ hydrations: 1, hydrationErrors: 1, indexOps: 2, indexErrors: 1, lateEvents: 2 });
  });

  it('computes exact index latency p50/p90 and error counts; null without index ops', () => {
    const ops = [100, 10, 90, 20, 80, 30, 70, 40, 60, 50].map((latencyMs, i) =>
      indexOp(T0 + i * SEC, { latencyMs, status: i < 2 ? 'error' : 'ok' }),
    );
    const out = runProcessor(make(), [...ops, hydration(T0 + MIN, { artifact: 'other' }), advance(Infinity)]);
    const rows = ofKind(out, 'drift-window').map((f) => f.row);
    const app = rows.find((r) => r.artifact === 'app')!;
    // nearest rank over 10..100: p50 = 5th value, p90 = 9th value
    expect(app).toMatchObject({ indexOps: 10, indexErrors: 2, indexLatencyP50: 50, indexLatencyP90: 90 });
    const other = rows.find((r) => r.artifact === 'other')!;
    expect(other).toMatchObject({ indexOps: 0, indexLatencyP50: null, indexLatencyP90: null });
  });

  it('rolls keys up into one env-window row per env', () => {
    const out = runProcessor(make(), [
      observation(T0, 'hydration:a', true),
      hydration(T0),
      observation(T0 + 1, 'index:b', false, { artifact: 'api' }),
      indexOp(T0 + 1, { artifact: 'api', status: 'error' }),
      observation(T0 + 2, 'hydration:c', false, { env: 'staging' }),
      hydration(T0 + 2, { env: 'staging', status: 'error' }),
      advance(Infinity),
    ]);
    expect(ofKind(out, 'drift-window').map((f) => f.row.env + '/' + f.row.artifact)).toEqual(['prod/api', 'prod/app', 'staging/app']);
    const env = ofKind(out, 'env-window');
    expect(env.map((f) => f.at)).toEqual([T0 + W, T0 + W]);
    expect(env.map((f) => f.row)).toEqual([
      { windowStart: T0, windowEnd: T0 + W, env: 'prod', observations: 2, divergentObservations: 1, hydrations: 1, hydrationErrors: 0, indexOps: 1, indexErrors: 1, lateEvents: 0, indexErrorArtifacts: [{ artifact: 'api', errors: 1 }] },
      { windowStart: T0, windowEnd: T0 + W, env: 'staging', observations: 1, divergentObservations: 0, hydrations: 1, hydrationErrors: 1, indexOps: 0, indexErrors: 0, lateEvents: 0, indexErrorArtifacts: [] },
    ]);
  });

  it('ignores promotions and terminates on the end-of-input +Infinity advance', () => {
    const p = make();
    const out = runProcessor(p, [hydration(T0), promotion(T0 + 2 * W, 'p1', 'started'), hydration(T0 + 7 * W), advance(Infinity), advance(Infinity)]);
    // A window with only a promotion is not active.
    expect(ofKind(out, 'drift-window').map((f) => f.row.windowStart)).toEqual([T0, T0 + 7 * W]);
    expect(p.openWindows).toBe(0);
  });

  it('rejects a non-positive window size', () => {
    expect(() => new DriftWindowsProcessor({ windowMs: 0 })).toThrow(ConfigError);
  });
});
