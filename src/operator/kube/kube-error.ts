// The API server's error answers: a Status object's reason and message, for ordinary requests and
// for watches alike (410 Gone on a watch means relist); and requests that got no answer at all.
import type { OutboundError } from '../../outbound/errors.ts';
import { isRecord } from '../../core/guards.ts';

/** An API error with the server's status and reason; status 0 when no answer came (reason `timeout` or `network`). */
export class KubeError extends Error {
  readonly statusCode: number;
  readonly reason: string;

  constructor(statusCode: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** The error of a non-2xx answer whose body is `text` (a Status object, or anything else); `what` is `METHOD path`. */
export function kubeErrorFrom(statusCode: number, text: string, what: string): KubeError {
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const status: unknown = JSON.parse(text);
    if (isRecord(status)) {
      reason = typeof status.reason === 'string' ? status.reason : '';
      message = typeof status.message === 'string' ? status.message : message;
    }
  } catch {
    // not a Status object; keep the text
  }
  return new KubeError(statusCode, reason, `${what}: ${statusCode} ${message}`);
}

/** A request with no answer (outbound/errors.ts): status 0, the reason `timeout` or `network`, the message naming the server by its masked URL. */
export function kubeErrorFromOutbound(err: OutboundError): KubeError {
  return new KubeError(0, err.kind, err.message);
}
