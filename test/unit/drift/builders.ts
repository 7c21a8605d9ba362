/** Fact builders for drift tests: input events on virtual event time (epoch ms). */
import type { Fact, FactOf, Incident } from '../../../processors/facts.js';
import type { HydrationEvent, IndexEvent, InputEvent, PromotionEvent } from '../../../schemas/input-events.js';
import type { SeverityClassifier } from '../../../config/alert-rules.js';
import { defaultProcessingOptions, type ProcessingOptions } from '../../../config/processing-options.js';

/** 2026-11-27T12:00:00.000Z — aligned to 5-minute windows. */
export const T0 = Date.parse('2026-11-27T12:00:00.000Z');
export const SEC = 1000;
export const MIN = 60 * SEC;
/** Virtual time `s` seconds after T0. */
export const t = (s: number): number => T0 + s * SEC;

export const options: ProcessingOptions = { ...defaultProcessingOptions };
/** Fixed severities so tests can assert on them; production env is high. */
export const classify: SeverityClassifier = (_rule, labels) => (labels.env === 'prod' ? 'high' : 'medium');

const ENV = 'prod';
const ARTIFACT = 'catalog';
let seq = 0;

function common(at: number, over: { env?: string; artifact?: string; correlationId?: string }) {
  const base = { eventId: `e-${++seq}`, occurredAt: new Date(at).toISOString(), env: over.env ?? ENV, artifact: over.artifact ?? ARTIFACT };
  return over.correlationId === undefined ? base : { ...base, correlationId: over.correlationId };
}

function envelopeFact<E extends InputEvent>(event: E, at: number): FactOf<'event'> {
  return { kind: 'event', at, envelope: { event, at, key: `${event.env}/${event.artifact}` } };
}

type Over = { env?: string; artifact?: string; correlationId?: string };

export function promotion(
  at: number,
  p: Over & { promotionId: string; phase: PromotionEvent['phase']; version?: string; digest?: string; rollbackTo?: { version: string; digest: string } },
): FactOf<'event'> {
  const { env, artifact, correlationId, ...rest } = p;
  return envelopeFact({ type: 'promotion', ...common(at, { env, artifact, correlationId }), ...rest } as PromotionEvent, at);
}

/** started + succeeded of one promotion at the same time: sets desired state. */
export function promoted(at: number, promotionId: string, digest: string, over: Over = {}): Fact[] {
  return [
    promotion(at, { ...over, promotionId, phase: 'started', version: `v-${digest}`, digest }),
    promotion(at, { ...over, promotionId, phase: 'succeeded', version: `v-${digest}`, digest }),
  ];
}

export function hydration(
  at: number,
  h: Over & { instance?: string; inputDigest: string; outputDigest?: string; ruleId?: string; status?: 'ok' | 'error' },
): FactOf<'event'> {
  const { env, artifact, correlationId, ...rest } = h;
  const event: HydrationEvent = {
    type: 'hydration',
    ...common(at, { env, artifact, correlationId }),
    ruleId: rest.ruleId ?? 'rule-1',
    instance: rest.instance ?? 'h1',
    inputDigest: rest.inputDigest,
    outputDigest: rest.outputDigest ?? `out-${rest.inputDigest}`,
    durationMs: 12,
    status: rest.status ?? 'ok',
  };
  return envelopeFact(event, at);
}

export function index(at: number, i: Over & { instance: string; servedDigest: string; status?: 'ok' | 'error' }): FactOf<'event'> {
  const { env, artifact, correlationId, ...rest } = i;
  const event: IndexEvent = {
    type: 'index',
    ...common(at, { env, artifact, correlationId }),
    op: 'read',
    instance: rest.instance,
    servedDigest: rest.servedDigest,
    latencyMs: 3,
    status: rest.status ?? 'ok',
  };
  return envelopeFact(event, at);
}

/** The same input event, arriving late at `frontier`. */
export function late(fact: FactOf<'event'>, frontier: number): FactOf<'late'> {
  return { kind: 'late', at: frontier, envelope: fact.envelope, frontier };
}

export function advance(at: number): FactOf<'advance'> {
  return { kind: 'advance', at };
}

export function incidents(out: Fact[]): Array<{ change: string; at: number; incident: Incident }> {
  return out.filter((f): f is FactOf<'incident'> => f.kind === 'incident').map(({ change, at, incident }) => ({ change, at, incident }));
}

export function observations(out: Fact[]): FactOf<'observation'>[] {
  return out.filter((f): f is FactOf<'observation'> => f.kind === 'observation');
}
