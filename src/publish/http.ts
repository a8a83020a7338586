// The one outbound HTTP client of the publishers (style.md rule 2): per-request timeout, keep-alive
// (undici's global fetch pools connections), the failure vocabulary, Retry-After, body draining
// and redaction. Error messages name the masked URL only, and a vendor's text is redacted by the
// structure of the target's secrets (core/secret.ts) before it is cut, so no part of one is kept.
import { failureFromStatus, type HttpSend, type OutboundRequest, type OutboundResponse, PublishError, type Target } from '../core/publishing.ts';
import { createRedactor, maskUrl, secretsOf } from '../core/secret.ts';

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

/**
 * A vendor's text fit for a message: redacted first, then whitespace folded and cut to `max`
 * characters (cutting first could keep the start of a secret whose end was cut off).
 */
export function vendorSnippet(target: Target, text: string, max = MAX_MESSAGE_BODY): string {
  return createRedactor(secretsOf(target))(text).replace(/\s+/g, ' ').slice(0, max).trim();
}

function decodeOrKeep(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Fetch refuses URLs with credentials; like Go's HTTP client (so Alertmanager), userinfo becomes
 * a Basic authorization header unless the request already carries one.
 */
export function withoutUserinfo(request: OutboundRequest): OutboundRequest {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return request;
  }
  if (!url.username && !url.password) return request;
  const basic = Buffer.from(`${decodeOrKeep(url.username)}:${decodeOrKeep(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const hasAuth = Object.keys(request.headers).some((h) => h.toLowerCase() === 'authorization');
  return { ...request, url: url.toString(), headers: hasAuth ? request.headers : { ...request.headers, authorization: `Basic ${basic}` } };
}

async function exchange(request: OutboundRequest, options: { timeoutMs: number; userAgent: string }, where: string): Promise<{ response: Response; text: string }> {
  const sent = withoutUserinfo(request);
  try {
    const response = await fetch(sent.url, {
      method: sent.method,
      headers: { 'user-agent': options.userAgent, ...sent.headers },
      body: sent.body,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    return { response, text: await readBody(response) };
  } catch (err) {
    throw networkFailure(err, where, options.timeoutMs);
  }
}

/** The shared client for one target: every secret of the target is redacted from messages. */
export function createHttpSend(target: Target, options: { timeoutMs: number; userAgent: string }): HttpSend {
  return async (request: OutboundRequest): Promise<OutboundResponse> => {
    const where = `${request.method} ${maskUrl(request.url)}`;
    const { response, text } = await exchange(request, options, where);
    if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, text };
    const snippet = vendorSnippet(target, text);
    throw new PublishError(`${where}: HTTP ${response.status}${snippet ? ` ${snippet}` : ''}`, {
      ...failureFromStatus(response.status),
      statusCode: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  };
}

/** A failure found in a 2xx answer (Slack's `ok: false`), with the target's secrets redacted. */
export function invalidResponse(target: Target, message: string, options: { statusCode: number; retryable?: boolean }): PublishError {
  return new PublishError(createRedactor(secretsOf(target))(message), {
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
