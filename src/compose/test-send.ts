// POST /publishing/test/{target}: a synthetic alert sent now through the target's publisher,
// bypassing the outbox and filters, so an operator can check credentials and reachability.
import type { Config } from '../config/schema.ts';
import type { DeliveryAlert, Target } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { alertFingerprint } from '../core/fingerprint.ts';
import { createHttpSend } from '../publish/http.ts';
import { publisherRegistry } from '../publish/registry.ts';
import { VERSION } from '../version.ts';

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

/** Creates the sender. */
export function createTestSender(config: Config): (target: Target) => Promise<TestSendResult> {
  return async (target) => {
    const publisher = publisherRegistry.get(target.type);
    const started = performance.now();
    try {
      const payload = publisher.format(syntheticAlert(new Date()), { target, externalRef: undefined, dashboardUrl: config.publishing.dashboardUrl });
      const http = createHttpSend(target, { timeoutMs: target.delivery.timeoutMs, userAgent: `alert-history/${VERSION}` });
      const result = await publisher.send(payload, { target, http });
      return { success: true, statusCode: result.statusCode, responseTimeMs: Math.round(performance.now() - started), error: null };
    } catch (err) {
      const failure = err instanceof PublishError ? err : undefined;
      return {
        success: false,
        statusCode: failure?.statusCode ?? null,
        responseTimeMs: Math.round(performance.now() - started),
        error: failure ? `${failure.reason}: ${failure.message}` : 'unexpected error',
      };
    }
  };
}
