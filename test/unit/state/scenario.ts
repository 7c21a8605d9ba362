/**
 * A busy synthetic input stream that leaves every processor with state and
 * pending timers at almost any cut: state drift (rogue replica, lagging
 * replica, failed rollback, expiring source), determinism drift, index
 * errors, many promotions (failed ones, failing gates, slow ones, unverified
 * snapshots), duplicates and late events. Lines are NDJSON like a fixture.
 *
 * Timeline (minutes after T0), what it makes happen:
 *   prod/catalog   5–45  r2 serves a rogue digest: drift incident, escalation to L4, MTTR breach at 35
 *   prod/search    8–12  r2 lags a promotion past its 2-min grace; 25–35 index errors (rate > 5 %)
 *   prod/catalog   14    rule-1 gives two outputs for one input: determinism incident, resolved at 20
 *   staging/web    0     unverified snapshot (resolved at 40); 25–33 rollback that does not converge
 *   staging/web    50    r3 reports a rogue digest once and goes silent: resolved by source expiry at 65
 *   qa/svc-<k>     0–55  24 promotions: 3 fail, 4 failing gates, slow ones (> 5 min)
 */
import { MIN, SEC, T0 } from '../drift/builders.js';

type Json = Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();

export function syntheticScenario(): string[] {
  const events: Json[] = [];
  let n = 0;
  const base = (at: number, env: string, artifact: string): Json => ({ eventId: `s-${++n}`, occurredAt: iso(at), env, artifact });
  const promo = (at: number, env: string, artifact: string, promotionId: string, phase: string, extra: Json = {}) =>
    events.push({ type: 'promotion', ...base(at, env, artifact), promotionId, phase, ...extra });
  const index = (at: number, env: string, artifact: string, instance: string, servedDigest: string, status = 'ok') =>
    events.push({ type: 'index', ...base(at, env, artifact), op: 'read', instance, servedDigest, latencyMs: 3 + (n % 17), status });
  const hydration = (at: number, env: string, artifact: string, inputDigest: string, outputDigest: string, instance = 'h1') =>
    events.push({ type: 'hydration', ...base(at, env, artifact), ruleId: 'rule-1', instance, inputDigest, outputDigest, durationMs: 20, status: 'ok' });
  const promoted = (at: number, env: string, artifact: string, id: string, digest: string, extra: Json = {}) => {
    promo(at, env, artifact, id, 'started', { version: `v-${digest}`, digest });
    promo(at + 10 * SEC, env, artifact, id, 'succeeded', { version: `v-${digest}`, digest, ...extra });
  };

  promoted(T0, 'prod', 'catalog', 'pc-1', 'D1');
  promoted(T0, 'prod', 'search', 'ps-1', 'S1');
  promoted(T0, 'staging', 'web', 'pw-1', 'W1');
  promo(T0 + 20 * SEC, 'staging', 'web', 'pw-1', 'snapshot', { snapshot: { snapshotId: 'snap-1', verified: false } });
  promo(T0 + 40 * MIN, 'staging', 'web', 'pw-9', 'snapshot', { snapshot: { snapshotId: 'snap-2', verified: true } });
  promoted(T0 + 8 * MIN, 'prod', 'search', 'ps-2', 'S2');

  for (let s = 30; s < 70 * 60; s += 30) {
    const at = T0 + s * SEC;
    const m = s / 60;
    index(at, 'prod', 'catalog', 'r1', 'D1');
    index(at + 1, 'prod', 'catalog', 'r2', m >= 5 && m < 45 ? 'DX' : 'D1');
    index(at, 'prod', 'search', 'r1', m >= 8 ? 'S2' : 'S1');
    index(at + 2, 'prod', 'search', 'r2', m >= 12 ? 'S2' : 'S1', m >= 25 && m < 35 && s % 90 === 0 ? 'error' : 'ok');
    if (s % 60 === 0) {
      hydration(at + 3, 'prod', 'catalog', 'D1', m === 14 ? 'O-bad' : 'O1');
      if (m === 14) hydration(at + 30 * SEC, 'prod', 'catalog', 'D1', 'O1', 'h2');
      index(at, 'staging', 'web', 'r1', m >= 25 && m < 33 ? 'W3' : 'W1');
    }
  }
  // staging/web: W3 promoted at 25, rolled back to W1 at 27; r1 keeps W3 until 33 → rollback failed.
  promoted(T0 + 25 * MIN, 'staging', 'web', 'pw-3', 'W3');
  promo(T0 + 27 * MIN, 'staging', 'web', 'pw-3', 'rolled_back', { rollbackTo: { version: 'v-W1', digest: 'W1' } });
  index(T0 + 50 * MIN, 'staging', 'web', 'r3', 'WX');

  // qa: 24 promotions, 3 fail, 4 gates fail, every 4th one slow (6 min).
  for (let k = 0; k < 24; k++) {
    const at = T0 + k * 2 * MIN;
    const id = `pq-${k}`;
    const artifact = `svc-${k % 6}`;
    promo(at, 'qa', artifact, id, 'started', { version: `v${k}`, digest: `Q${k}` });
    promo(at + 30 * SEC, 'qa', artifact, id, 'gate', { gate: { name: 'smoke', result: k % 6 === 1 ? 'failed' : 'passed', durationMs: 1000 + k } });
    const end = at + (k % 4 === 0 ? 6 * MIN : 1 * MIN);
    if (k % 8 === 3) promo(end, 'qa', artifact, id, 'failed', { digest: `Q${k}`, reason: 'gate' });
    else promo(end, 'qa', artifact, id, 'succeeded', { version: `v${k}`, digest: `Q${k}` });
  }

  // Arrival order = event-time order (stable), then the perturbations below.
  const lines = events
    .map((e, i) => ({ e, i, at: Date.parse(e.occurredAt as string) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ e }) => JSON.stringify(e));
  // Producer retries (duplicates) and stragglers (late beyond the 60 s frontier lag): moved later in the stream.
  const moved = [lines[40]!, lines[41]!, lines[300]!];
  lines.splice(1200, 0, ...moved);
  const straggler = lines.splice(100, 1)[0]!;
  lines.splice(900, 0, straggler);
  return lines;
}
