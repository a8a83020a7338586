// The one outbound HTTP client of the publishers (style.md rule 2): per-request timeout, keep-alive
// (undici's global fetch pools connections), the failure vocabulary, Retry-After, body draining
// and redaction. Error messages name the masked URL only, never a secret.
import { failureFromStatus, type HttpSend, type OutboundRequest, type OutboundResponse, PublishError, type Target } from '../core/publishing.ts';
import { maskUrl, redact } from '../core/secret.ts';

/** Bodies are read whole to free the connection, but only this much is kept for messages. */
const MAX_KEPT_BODY = 64 * 1024;
const MAX_MESSAGE_BODY = 300;

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readBody(response: Response): Promise<string> {
  const text = await response.text();
  return text.length > MAX_KEPT_BODY ? text.slice(0, MAX_KEPT_BODY) : text;
}

function networkFailure(err: unknown, where: string, timeoutMs: number): PublishError {
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new PublishError(`${where}: no answer within ${timeoutMs} ms`, { reason: 'timeout', retryable: true });
  }
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return new PublishError(`${where}: network error${typeof code === 'string' ? ` (${code})` : ''}`, { reason: 'network', retryable: true });
}

/** The shared client for one target: every secret of the target is redacted from messages. */
export function createHttpSend(target: Target, options: { timeoutMs: number; userAgent: string }): HttpSend {
  const secrets = [target.url, target.credentials, ...target.headers.map((h) => h.value)];
  return async (request: OutboundRequest): Promise<OutboundResponse> => {
    const where = `${request.method} ${maskUrl(request.url)}`;
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { 'user-agent': options.userAgent, ...request.headers },
        body: request.body,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw networkFailure(err, where, options.timeoutMs);
    }
    let text: string;
    try {
      text = await readBody(response);
    } catch (err) {
      throw networkFailure(err, where, options.timeoutMs);
    }
    if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, text };
    const failure = failureFromStatus(response.status);
    const snippet = redact(text.slice(0, MAX_MESSAGE_BODY), secrets).replace(/\s+/g, ' ').trim();
    throw new PublishError(`${where}: HTTP ${response.status}${snippet ? ` ${snippet}` : ''}`, {
      ...failure,
      statusCode: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  };
}

/** A failure found in a 2xx answer (Slack's `ok: false`), with the target's secrets redacted. */
export function invalidResponse(target: Target, message: string, options: { statusCode: number; retryable?: boolean }): PublishError {
  const secrets = [target.url, target.credentials, ...target.headers.map((h) => h.value)];
  return new PublishError(redact(message, secrets), {
    reason: 'invalid_response',
    retryable: options.retryable ?? false,
    statusCode: options.statusCode,
  });
}

/** The headers every request of a target carries (the spec's headers, values revealed here only). */
export function targetHeaders(target: Target): Record<string, string> {
  return Object.fromEntries(target.headers.map((h) => [h.name, h.value.reveal()]));
}

/** Joins a base URL and a vendor path without doubling slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Spec headers plus JSON content type, then the bearer token when credentials are set. */
export function jsonHeaders(target: Target): Record<string, string> {
  const headers: Record<string, string> = { ...targetHeaders(target), 'content-type': 'application/json' };
  if (target.credentials && !target.credentials.empty) headers.authorization = `Bearer ${target.credentials.reveal()}`;
  return headers;
}

/** Problems with a target's endpoint URL, naming the field; `required` says what is missing. */
export function checkUrl(target: Target, options: { required: boolean; missing?: string }): string[] {
  const url = target.url?.reveal();
  if (!url) return options.required ? [`url: ${options.missing ?? `required for type ${target.type}`}`] : [];
  try {
    return /^https?:$/.test(new URL(url).protocol) ? [] : ['url: must be http or https'];
  } catch {
    return ['url: not a valid URL'];
  }
}
