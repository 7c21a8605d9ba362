/** One line of incidents.ndjson: the final state of an incident (SPEC §7.1). */
import { s, type Infer } from './dsl.js';
import { severities } from './alert-event.js';

export const incidentRecordSchema = s.object(
  {
    incidentId: s.string(),
    kind: s.enumOf(['state', 'determinism'] as const),
    env: s.string(),
    artifact: s.string(),
    ruleId: s.optional(s.string()),
    severity: s.enumOf(severities),
    startedAt: s.timestamp(),
    detectedAt: s.timestamp(),
    resolvedAt: s.optional(s.timestamp({ doc: 'null while open' })),
    reason: s.optional(s.string()),
    expectedDigest: s.optional(s.string()),
    divergentDigests: s.optional(s.array(s.string())),
    divergentDigestsOmitted: s.optional(s.integer({ min: 1, doc: 'how many more divergent digests the incident saw than it names; absent when none' })),
    recoveryMs: s.optional(s.integer({ min: 0 })),
  },
  { name: 'IncidentRecord', doc: 'driftwatch incident (final state)' },
);

export type IncidentRecord = Omit<Infer<typeof incidentRecordSchema>, 'resolvedAt'> & { resolvedAt: string | null };
