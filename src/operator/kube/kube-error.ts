// The API server's error answers: a Status object's reason and message, for ordinary requests and
// for watches alike (410 Gone on a watch means relist).

/** An API error with the server's status and reason. */
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
    const status = JSON.parse(text) as { reason?: string; message?: string };
    reason = status.reason ?? '';
    message = status.message ?? message;
  } catch {
    // not a Status object; keep the text
  }
  return new KubeError(statusCode, reason, `${what}: ${statusCode} ${message}`);
}
