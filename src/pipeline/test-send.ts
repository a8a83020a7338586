// POST /publishing/test/{target}: a synthetic alert sent now through the target's publisher,
// bypassing the outbox and filters, so an operator can check credentials and reachability. It
// goes through the same token bucket and circuit breaker as the delivery worker: a test send
// cannot exceed the vendor's rate, is refused while the circuit is open, and its outcome counts.
import { BrokenCircuitError } from 'cockatiel';
import { AppError } from '../core/errors.ts';
import type { DeliveryAlert, HttpSend, PublisherRegistry, Target } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import { alertFingerprint } from '../core/fingerprint.ts';
import { redact, secretsOf } from '../core/secret.ts';
import type { Admission, TargetGuard, TargetGuards } from './target-guard.ts';

/** What a test send needs: the worker's guards, the publishers, and a client per send. */
export interface TestSendDeps {
  /** The delivery worker's, so a test send shares each target's budget and breaker. */
  guards: TargetGuards;
  registry: PublisherRegistry;
  /** A fresh HTTP client for one send to `target`. */
  httpFor: (target: Target) => HttpSend;
  dashboardUrl: string | undefined;
}

/** What a test send reports (api-contract.md). */
export interface TestSendResult {
  success: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  error: string | null;
}

function syntheticAlert(now: Date): DeliveryAlert {
  const at = now.toISOString();
  // A unique label per send gives each test its own Alertmanager-style fingerprint (and dedup key).
  const labels = { alertname: 'TestAlert', source: 'alert-history-test', severity: 'info', test_run: now.getTime().toString(36) };
  return {
    event: {
      id: 0,
      fingerprint: alertFingerprint(labels),
      alertname: 'TestAlert',
      namespace: null,
      severity: 'info',
      status: 'firing',
      labels,
      annotations: { summary: 'Test alert from alert-history: this target is reachable.' },
      startsAt: at,
      endsAt: null,
      generatorURL: '',
      receivedAt: at,
      receiver: 'alert-history-test',
      updatedAt: at,
    },
    classification: undefined,
  };
}

type Refusal = Extract<Admission, { ok: false }>;

/** The envelope error of a refused test send: 429 for an empty bucket, 503 for an open circuit. */
function refusal(target: Target, refused: Refusal): AppError {
  const seconds = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
  const key = targetKey(target);
  const options = { headers: { 'Retry-After': String(seconds) }, retryable: true };
  if (refused.why === 'rate_limited') {
    const message = `target ${key} allows ${target.delivery.ratePerMinute} sends per minute, shared with deliveries; nothing was sent, retry in ${seconds} s`;
    return new AppError('RATE_LIMITED', message, {
      ...options,
      details: { target: key, rate_per_minute: target.delivery.ratePerMinute, retry_after_seconds: seconds },
    });
  }
  const message = `target ${key}: circuit ${refused.circuit} after consecutive delivery failures; nothing was sent, retry in ${seconds} s`;
  return new AppError('SERVICE_UNAVAILABLE', message, { ...options, details: { target: key, circuit_state: refused.circuit, retry_after_seconds: seconds } });
}

function failed(target: Target, err: unknown, started: number): TestSendResult {
  const failure = err instanceof PublishError ? err : undefined;
  return {
    success: false,
    statusCode: failure?.statusCode ?? null,
    responseTimeMs: Math.round(performance.now() - started),
    // The message is redacted already; redacting again keeps that a guarantee here too.
    error: failure ? redact(`${failure.reason}: ${failure.message}`, secretsOf(target)) : 'unexpected error',
  };
}

/** Creates the test send use case. */
export function createTestSend(deps: TestSendDeps): (target: Target) => Promise<TestSendResult> {
  const { guards } = deps;
  async function send(target: Target, guard: TargetGuard): Promise<TestSendResult> {
    const publisher = deps.registry.get(target.type);
    const started = performance.now();
    try {
      const payload = publisher.format(syntheticAlert(new Date()), { target, externalRef: undefined, dashboardUrl: deps.dashboardUrl });
      const http = deps.httpFor(target);
      const result = await guard.breaker.execute(() => publisher.send(payload, { target, http }));
      guard.lastOutcome = 'succeeded';
      return { success: true, statusCode: result.statusCode, responseTimeMs: Math.round(performance.now() - started), error: null };
    } catch (err) {
      // Refused by the breaker itself: a half-open probe is in flight; its answer comes soon.
      if (err instanceof BrokenCircuitError)
        throw refusal(target, { ok: false, why: 'circuit_open', retryAfterMs: 1000, circuit: guards.circuit(targetKey(target)) });
      guard.lastOutcome = 'failed';
      return failed(target, err, started);
    }
  }
  return async (target) => {
    const admission = guards.admit(target);
    if (!admission.ok) throw refusal(target, admission);
    return send(target, admission.guard);
  };
}
