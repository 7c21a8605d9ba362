/**
 * Ground truth of the synthetic scenario: every incident the generator
 * injected, with the start the engine must report (worked out from SPEC §4),
 * and the comparison of what the engine found against it.
 */
import type { Incident } from '../../processors/facts.js';
import type { InjectedKind } from './scenario-options.js';

export interface InjectedIncident {
  /** `inj-<n>`, in planning order. */
  id: string;
  /** What was injected (the story); `kind` is the incident kind the engine reports. */
  scenario: InjectedKind;
  kind: 'state' | 'determinism';
  env: string;
  artifact: string;
  ruleId?: string;
  /** Expected drift start (epoch ms): since+grace for a laggard, the observation for a rogue version, the second output for nondeterminism. */
  startsAt: number;
  /** Expected resolution time (epoch ms) if the run goes on long enough. */
  resolvesAt: number;
  expectedReason: 'converged' | 'source_expired' | 'consistent';
  /** The event that makes the incident inevitable (the terminal promotion event, the rogue observation, the stray output). */
  triggerEventId: string;
  /** True once the trigger event has been handed out: incidents whose trigger never left the generator are not expected. */
  armed: boolean;
  /** Digest the engine should name as divergent (state) or one of the outputs (determinism). */
  divergentDigest: string;
}

export interface MatchedIncident {
  injected: InjectedIncident;
  incident: Incident;
  /** detectedAt − startedAt, event time. */
  delayMs: number;
}

export interface MatchReport {
  /** Armed injected incidents: the ones the engine must find. */
  expected: number;
  matched: MatchedIncident[];
  /** Expected but not found with the same kind, key and start; `nearest` is a found incident of the same kind and key, if any. */
  missed: Array<{ injected: InjectedIncident; nearest?: Incident }>;
  /** Found, not injected, started while events were still generated. */
  unexpected: Incident[];
  /** Found, not injected, started after the last generated event: a run stopped mid-episode (e.g. --forever + Ctrl-C), not a finding. */
  cutOff: Incident[];
}

function matchKey(kind: string, env: string, artifact: string, ruleId: string | undefined, startedAt: number): string {
  return JSON.stringify([kind, env, artifact, ruleId ?? null, startedAt]);
}

/**
 * Matches found incidents to injected ones by kind, key (env, artifact and,
 * for determinism, ruleId) and exact start time. `lastEventAt` is the event
 * time of the last generated event.
 */
export function matchIncidents(injected: readonly InjectedIncident[], found: readonly Incident[], lastEventAt: number): MatchReport {
  const byKey = new Map<string, Incident[]>();
  for (const inc of found) {
    const k = matchKey(inc.kind, inc.env, inc.artifact, inc.kind === 'determinism' ? inc.ruleId : undefined, inc.startedAt);
    const list = byKey.get(k);
    if (list) list.push(inc);
    else byKey.set(k, [inc]);
  }
  const used = new Set<Incident>();
  const report: MatchReport = { expected: 0, matched: [], missed: [], unexpected: [], cutOff: [] };
  for (const inj of injected) {
    if (!inj.armed) continue;
    report.expected++;
    const candidates = byKey.get(matchKey(inj.kind, inj.env, inj.artifact, inj.ruleId, inj.startsAt)) ?? [];
    const hit = candidates.find((c) => !used.has(c));
    if (hit) {
      used.add(hit);
      report.matched.push({ injected: inj, incident: hit, delayMs: hit.detectedAt - hit.startedAt });
    } else {
      report.missed.push({ injected: inj, nearest: nearestOf(inj, found) });
    }
  }
  for (const inc of found) {
    if (used.has(inc)) continue;
    (inc.startedAt > lastEventAt ? report.cutOff : report.unexpected).push(inc);
  }
  return report;
}

function nearestOf(inj: InjectedIncident, found: readonly Incident[]): Incident | undefined {
  let best: Incident | undefined;
  for (const inc of found) {
    if (inc.kind !== inj.kind || inc.env !== inj.env || inc.artifact !== inj.artifact) continue;
    if (inj.ruleId !== undefined && inc.ruleId !== inj.ruleId) continue;
    if (!best || Math.abs(inc.startedAt - inj.startsAt) < Math.abs(best.startedAt - inj.startsAt)) best = inc;
  }
  return best;
}
