/**
 * A producer's string can be most of a 1 MiB event, and an alert repeats
 * its identifying strings several times (labels, summary, description, a
 * percent-encoded runbookUrl): one index event with a 450 000-character
 * artifact made three 2.25 MB alerts. The broker refuses a message above its
 * message.max.bytes (1 MB by default) with MESSAGE_TOO_LARGE, not
 * retriable, so live mode failed that commit on every restart — one event
 * stopped the pipeline, which SPEC §3 says a bad message never does.
 *
 * Identifying strings are bounded now (schemas/input-events.ts): a longer one
 * is a dead letter naming the field, and alerts made of values at the bound,
 * in the characters that grow most in JSON (a control character: 6 bytes)
 * and in a URL (a 3-byte character: 9), still fit one send.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../config/alerts-config.js';
import { defaultProcessingOptions } from '../../config/processing-options.js';
import { alertMessage } from '../../engine/live/output-messages.js';
import { messageBytes, SEND_CHUNK_BYTES } from '../../engine/live/send-chunks.js';
import { replayFile } from '../../engine/replay.js';
import { silentLogger } from '../../lib/logger.js';
import { MAX_IDENTIFIER_CHARS } from '../../schemas/input-events.js';
import { MAX_NAMED_REASON } from '../../processors/promotion-window-counts.js';
import { readNdjson } from '../helpers/replay-fixture.js';
import type { AlertEvent } from '../../schemas/alert-event.js';

const T0 = Date.parse('2026-11-27T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A string of exactly the bound, distinct per tag, of the characters that grow most once encoded. */
const atBound = (tag: string) => (tag + '日\u0001'.repeat(MAX_IDENTIFIER_CHARS)).slice(0, MAX_IDENTIFIER_CHARS);

function lines(): string[] {
  const env = atBound('env');
  const artifact = atBound('artifact');
  const common = (id: string, ms: number) => ({ eventId: atBound(id), occurredAt: at(ms), env, artifact, correlationId: atBound(`corr-${id}`) });
  const promotion = (id: string, ms: number, phase: string) => ({
    type: 'promotion', ...common(id, ms), promotionId: atBound('promotion'), phase, version: atBound('version'), digest: atBound('good'), actor: atBound('actor'),
  });
  const out: object[] = [promotion('e-started', 0, 'started'), promotion('e-succeeded', 1_000, 'succeeded')];
  // More divergent sources and digests than an alert lists: it names the first few and counts the rest.
  for (let k = 0; k < 12; k++) {
    out.push({ type: 'index', ...common(`e-index-${k}`, 180_000 + k), op: 'read', instance: atBound(`instance-${k}`), servedDigest: atBound(`rogue-${k}`), latencyMs: 1, status: 'ok' });
  }
  // One input, two outputs: hydration nondeterminism.
  for (let k = 0; k < 2; k++) {
    out.push({
      type: 'hydration', ...common(`e-hydration-${k}`, 190_000 + k), ruleId: atBound('rule'), instance: atBound(`hydrator-${k}`),
      inputDigest: atBound('good'), outputDigest: atBound(`output-${k}`), durationMs: 1, status: 'ok',
    });
  }
  out.push({ type: 'index', eventId: 'e-too-long', occurredAt: at(200_000), env: 'prod', artifact: 'x'.repeat(450_000), op: 'read', instance: 'i', servedDigest: 'rogue', latencyMs: 1, status: 'ok' });
  return out.map((e) => JSON.stringify(e));
}

async function replay(input_lines: string[] = lines()) {
  const dir = mkdtempSync(join(tmpdir(), 'dw-long-strings-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, input_lines.join('\n') + '\n');
  const alerts = defaultAlertsConfig();
  for (const rule of Object.values(alerts.rules)) rule.runbookUrl = 'https://runbooks.example.com/{env}/{artifact}?env={env}&artifact={artifact}';
  const outDir = join(dir, 'out');
  await replayFile({ input, outDir, processing: defaultProcessingOptions, alerts, logger: silentLogger, store: false });
  return { alerts: readNdjson<AlertEvent>(join(outDir, 'alerts.ndjson')), dlq: readNdjson<{ line: number; reason: string }>(join(outDir, 'dlq.ndjson')) };
}

describe('long producer strings', () => {
  it('dead-letters an identifying string past the bound, and alerts of strings at the bound fit one send to the broker', async () => {
    const { alerts, dlq } = await replay();

    expect(dlq.map((d) => [d.line, d.reason])).toEqual([[17, `artifact: must be at most ${MAX_IDENTIFIER_CHARS} characters long, got 450000`]]);

    // The drift resolves when its sources expire at the end of input; the nondeterminism stays open (no later consistent window).
    expect(new Set(alerts.map((a) => `${a.rule} ${a.status}`))).toEqual(new Set(['drift_detected firing', 'hydration_nondeterminism firing', 'drift_detected resolved']));
    for (const a of alerts) {
      expect(a.labels.artifact).toBe(atBound('artifact'));
      expect(messageBytes(alertMessage(a, true))).toBeLessThanOrEqual(SEND_CHUNK_BYTES);
    }
  });

  it('a rate alert quotes each failed promotion\'s reason clipped: reasons are unbounded free text, and ten of them whole made 4 MB alerts', async () => {
    // 20 failed promotions in one env, each with a 200 000-character reason (700 KB of a 1 MiB event once JSON-encoded, control
    // characters growing again once escaped), then an event an hour later to close the rate window.
    const reason = 'x\u0001'.repeat(100_000);
    const out: object[] = [];
    for (let k = 0; k < 20; k++) {
      const base = { type: 'promotion', env: 'prod', artifact: 'api', promotionId: `p-${k}`, version: '1.0.0', digest: 'd' };
      out.push({ ...base, eventId: `s-${k}`, occurredAt: at(k * 1000), phase: 'started' });
      out.push({ ...base, eventId: `f-${k}`, occurredAt: at(k * 1000 + 500), phase: 'failed', reason });
    }
    out.push({ type: 'index', eventId: 'later', occurredAt: at(3_600_000), env: 'prod', artifact: 'api', op: 'read', instance: 'i', servedDigest: 'd', latencyMs: 1, status: 'ok' });
    const { alerts, dlq } = await replay(out.map((e) => JSON.stringify(e)));

    expect(dlq).toEqual([]);
    const rate = alerts.filter((a) => a.rule === 'promotion_success_rate_low');
    expect(rate.length).toBeGreaterThan(0);
    const clipped = `${reason.slice(0, MAX_NAMED_REASON)}…`.replaceAll('\u0001', '\\x01');
    for (const a of rate) {
      expect(a.annotations.description).toContain(`p-19 (api 1.0.0, failed: ${clipped})`);
      expect(messageBytes(alertMessage(a, true))).toBeLessThanOrEqual(SEND_CHUNK_BYTES);
    }
  });
});
