// The one outbound HTTP client of the publishers (style.md rule 2): the outbound layer
// (outbound/client.ts) gives the keep-alive agent per origin, the per-request timeout, body
// draining and the timeout/network failures; this file adds the status vocabulary, Retry-After
// and redaction. Error messages name the masked URL only, and a vendor's text is redacted by the
// structure of the target's secrets (core/secret.ts) before it is cut, so no part of one is kept.
import { failureFromStatus, type HttpSend, type OutboundRequest, type OutboundResponse, PublishError, type Target } from '../core/publishing.ts';
import { createRedactor, secretsOf } from '../core/secret.ts';
import { type Answer, describeRequest, outbound } from '../outbound/client.ts';
import { OutboundError } from '../outbound/errors.ts';
import { parseRetryAfter } from '../outbound/retry-after.ts';

/** Retry-After, read by the outbound layer (publishers' callers and tests import it from here). */
export { parseRetryAfter };

/** Bodies are read whole to free the connection, but only this much is kept for messages. */
const MAX_KEPT_BODY = 64 * 1024;
const MAX_MESSAGE_BODY = 300;

/** A failure without an answer: both kinds (timeout, network) are worth a retry. */
function noAnswer(err: OutboundError): PublishError {
  return new PublishError(err.message, { reason: err.kind, retryable: true });
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

async function exchange(request: OutboundRequest, options: { timeoutMs: number; userAgent: string }, where: string): Promise<Answer> {
  const sent = withoutUserinfo(request);
  try {
    return await outbound.send({
      method: sent.method,
      url: sent.url,
      headers: { 'user-agent': options.userAgent, ...sent.headers },
      body: sent.body,
      timeoutMs: options.timeoutMs,
      redirect: 'error',
      where,
    });
  } catch (err) {
    throw err instanceof OutboundError ? noAnswer(err) : err;
  }
}

/** The shared client for one target: every secret of the target is redacted from messages. */
export function createHttpSend(target: Target, options: { timeoutMs: number; userAgent: string }): HttpSend {
  return async (request: OutboundRequest): Promise<OutboundResponse> => {
    const where = describeRequest(request.method, request.url);
    const answer = await exchange(request, options, where);
    const text = answer.text.length > MAX_KEPT_BODY ? answer.text.slice(0, MAX_KEPT_BODY) : answer.text;
    if (answer.status >= 200 && answer.status < 300) return { status: answer.status, headers: answer.headers, text };
    const snippet = vendorSnippet(target, text);
    throw new PublishError(`${where}: HTTP ${answer.status}${snippet ? ` ${snippet}` : ''}`, {
      ...failureFromStatus(answer.status),
      statusCode: answer.status,
      retryAfterMs: parseRetryAfter(answer.headers.get('retry-after')),
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
