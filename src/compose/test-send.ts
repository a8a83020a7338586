// Wires the test send use case (pipeline/test-send.ts) to the publishers and a fresh HTTP client
// per send, behind POST /publishing/test/{target}.
import type { Config } from '../config/schema.ts';
import type { Target } from '../core/publishing.ts';
import { createTestSend, type TestSendResult } from '../pipeline/test-send.ts';
import type { TargetGuards } from '../pipeline/target-guard.ts';
import { createHttpSend } from '../publish/http.ts';
import { publisherRegistry } from '../publish/registry.ts';
import { VERSION } from '../version.ts';

/** The test sender; `guards` are the delivery worker's, so both share each target's budget. */
export function createTestSender(config: Config, guards: TargetGuards): (target: Target) => Promise<TestSendResult> {
  const userAgent = `alert-history/${VERSION}`;
  return createTestSend({
    guards,
    registry: publisherRegistry,
    httpFor: (target) => createHttpSend(target, { timeoutMs: target.delivery.timeoutMs, userAgent }),
    dashboardUrl: config.publishing.dashboardUrl,
  });
}
