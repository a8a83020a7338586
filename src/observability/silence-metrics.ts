// Requests to Alertmanager's silence API by operation and outcome: `ok`, `not_found`, or the
// failure reason (unreachable, timeout, auth_error, client_error, server_error, invalid_response).
import { Counter, type Registry } from 'prom-client';

/** Registers alert_history_silence_requests_total on `registry`; the function counts one request. */
export function createSilenceMetrics(registry: Registry): (operation: string, result: string) => void {
  const counter = new Counter({
    registers: [registry],
    name: 'alert_history_silence_requests_total',
    help: "Requests to Alertmanager's silence API, by operation (list, get, create, expire) and result (ok, not_found or the failure reason)",
    labelNames: ['operation', 'result'],
  });
  return (operation, result) => counter.inc({ operation, result });
}
