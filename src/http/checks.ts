// Runs the health checks for readiness (/readyz) and the dashboard's health panel: each check
// races a timeout, and the result per check name is what both answers show.
import type { HealthCheck } from '../core/ports.ts';
import { asError } from '../core/startup-error.ts';

/** One readiness check result. */
export interface CheckResult {
  ok: boolean;
  latency_ms?: number;
  error?: string;
}

function withTimeout(check: HealthCheck, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check.check(), timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check with a timeout; the result per check name. */
export async function runChecks(checks: readonly HealthCheck[], timeoutMs: number): Promise<Record<string, CheckResult>> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      try {
        return [c.name, { ok: true, latency_ms: await withTimeout(c, timeoutMs) }];
      } catch (err) {
        const message = asError(err).message;
        return [c.name, { ok: false, error: message }];
      }
    }),
  );
  return Object.fromEntries(results);
}
