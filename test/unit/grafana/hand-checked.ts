/**
 * The hand-checked KPI scenario (fixtures/hand-checked-kpis.ndjson) and the
 * fixed range its panel and analyst-query tests read: 2026-12-01 10:00–11:00
 * UTC. Every expected value in those tests is computed by hand from this
 * timeline (times UTC, 2026-12-01; "desired" = what was promoted, SPEC §4.1):
 *
 * before the range
 *   09:30–09:31  stage/db   p-y0 promotes y4 (desired y4)
 *   09:40–09:41  prod/api   p-a1 promotes a1 (desired a1); h1 runs a1 at 09:42
 *   09:50        prod/api   h1 runs a0: state incident A opens (high: prod)
 *   09:58        prod/web   p-x starts (w2); gate unit passed 09:59 (30 s)
 * in the range
 *   10:00        prod/api   h1 runs a0 again (keeps the source alive)
 *   10:02        prod/web   p-x succeeds: 4 min, ended in the range, started before it
 *   10:03/10:04  prod/web   h2 runs w2 ok / fails ("timeout after 3000 ms")
 *   10:05/10:06  prod/api   index i1 reads a1: 20 ms ok / 150 ms error
 *   10:10        prod/api   h1 runs a1: A resolves (converged), 20 min — started before the range
 *   10:11/10:12  dev/cfg    r-merge gives o1 then o2 for c1: determinism incident D at 10:12 (high)
 *   10:16        dev/cfg    r-merge gives o1 for c1 again: D resolves at 10:20 (its window's end), 8 min
 *   10:20–10:26  prod/web   h2 runs the old w1: state incident B, 6 min
 *   10:30–10:33  stage/db   p-y: gate unit passed (10 s), smoke failed (60 s), snapshot not verified, failed: 3 min
 *   10:35/10:36  stage/db   h3 runs y4; index i3 reads y4 (50 ms)
 *   10:40–10:44  prod/web   p-z: gate unit passed (20 s), snapshot verified, succeeded: 4 min
 *   10:45        prod/web   h2 runs w3
 *   (10:30)      prod/web   h9 runs w2, learnt after 10:45: the one late event
 *   10:50        stage/db   h3 runs y5 (p-y's, failed 17 min ago): state incident C (medium: not prod)
 *   10:58        stage/cache p-q starts
 * after the range
 *   11:00:00     stage/db   h3 runs y5 (an event at the range's last instant)
 *   11:03        stage/cache p-q succeeds: 5 min, ended after the range (in flight at its end)
 *   11:20        stage/db   h3 runs y4: C resolves, 30 min — open at the range's end
 */
import { fileURLToPath } from 'node:url';

export const handCheckedFixture = fileURLToPath(new URL('./fixtures/hand-checked-kpis.ndjson', import.meta.url));

export const rangeFrom = new Date('2026-12-01T10:00:00.000Z');
export const rangeTo = new Date('2026-12-01T11:00:00.000Z');

/** The same range as analyst-query parameters (UTC, [from, to)). */
export const rangeParams = { from: '2026-12-01 10:00:00', to: '2026-12-01 11:00:00' };

/** A time of 2026-12-01, UTC. */
export const at = (hhmmss: string): Date => new Date(`2026-12-01T${hhmmss}.000Z`);
