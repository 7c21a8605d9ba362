/** Alert events on the alert topic (SPEC §6). */
import { s, type Infer } from './dsl.js';

export const severities = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof severities)[number];

/** Higher is more severe; used to apply "at least" rules. */
export const severityRank: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export const alertEventSchema = s.object(
  {
    alertId: s.string({ doc: 'unique per emission' }),
    fingerprint: s.string({ doc: 'stable for one alert instance (rule + identifying labels)' }),
    rule: s.string(),
    status: s.enumOf(['firing', 'resolved'] as const),
    severity: s.enumOf(severities),
    escalationLevel: s.integer({ min: 1, max: 4, doc: '1..4 (L1 when it fires, higher as the firing alert ages: alerts.yaml escalation, SPEC 6)' }),
    labels: s.map(s.string(), { doc: 'env, artifact and rule-specific identifying labels' }),
    annotations: s.object(
      {
        summary: s.string(),
        description: s.string(),
        runbookUrl: s.optional(s.string()),
        notify: s.optional(s.string({ doc: "who the current escalation level names, then whom the alert's severity escalates to (alerts.yaml escalation[].notify, routing), comma-separated, each once" })),
        channels: s.optional(s.string({ doc: "notification channels of the alert's severity (alerts.yaml routing), comma-separated" })),
        respondWithin: s.optional(s.string({ doc: "response target of the alert's severity (alerts.yaml routing), a duration such as 30m" })),
      },
      { name: 'AlertAnnotations' },
    ),
    startsAt: s.timestamp(),
    endsAt: s.optional(s.timestamp()),
    incidentId: s.optional(s.string()),
    correlationId: s.optional(s.string()),
    emittedAt: s.timestamp({ doc: 'wall-clock time of emission' }),
  },
  { name: 'AlertEvent', doc: 'driftwatch alert event (driftwatch.alerts.v1)' },
);

export type AlertEvent = Infer<typeof alertEventSchema>;
