// What went wrong talking to the LLM, from a short fixed vocabulary (it doubles as the
// `error_type` metric label). The kind decides whether a retry can help.
import type { OutboundError } from '../outbound/errors.ts';
import { parseRetryAfter as parseHttpRetryAfter } from '../outbound/retry-after.ts';

/** Failure kinds. */
export type LlmErrorKind = 'timeout' | 'network' | 'rate_limited' | 'quota' | 'auth' | 'client' | 'server' | 'invalid_reply' | 'truncated' | 'refusal';

const RETRYABLE: ReadonlySet<LlmErrorKind> = new Set(['timeout', 'network', 'rate_limited', 'server']);

/** An LLM call failure. Its message never contains the API key or the prompt. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  /** From Retry-After or x-ratelimit-reset-*, when the endpoint said. */
  readonly retryAfterMs: number | undefined;

  constructor(kind: LlmErrorKind, message: string, options: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'LlmError';
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether trying again can succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/**
 * A request that got no answer (outbound/errors.ts). The message does not name the URL: a LiteLLM
 * proxy or self-hosted base URL is configuration the classifier's logs need not repeat.
 */
export function llmErrorFrom(err: OutboundError): LlmError {
  if (err.kind === 'timeout') return new LlmError('timeout', `no answer within ${err.timeoutMs} ms`);
  return new LlmError('network', `cannot reach the LLM endpoint${err.code ? ` (${err.code})` : ''}`);
}

/** OpenAI-shaped error body: `{"error": {"message", "type", "param", "code"}}`. */
export interface ErrorBody {
  message?: string;
  type?: string;
  param?: string | null;
  code?: string | number | null;
}

const QUOTA = /insufficient_quota|budget_exceeded|credit_balance|spend_limit|billing/i;
const GO_DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

/** Parses Retry-After (seconds or HTTP date) or an x-ratelimit-reset value (`1s`, `6m0s`, `250ms`). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  return parseGoDuration(trimmed) ?? parseHttpRetryAfter(trimmed, now);
}

function parseGoDuration(text: string): number | undefined {
  const m = GO_DURATION.exec(text);
  if (!m) return undefined;
  const [, h = '0', min = '0', s = '0', ms = '0'] = m;
  return Math.round(Number(h) * 3_600_000 + Number(min) * 60_000 + Number(s) * 1000 + Number(ms));
}

function isQuota(body: ErrorBody | undefined): boolean {
  return QUOTA.test(`${body?.type ?? ''} ${String(body?.code ?? '')}`);
}

/** Classifies a non-2xx answer. */
export function errorFromStatus(status: number, body: ErrorBody | undefined, headers: Headers): LlmError {
  const detail = (body?.message ?? '').slice(0, 200);
  const text = `LLM endpoint answered ${status}${detail ? `: ${detail}` : ''}`;
  if (isQuota(body)) return new LlmError('quota', text, { status });
  if (status === 429) {
    const retryAfterMs = retryAfterOf(headers);
    return new LlmError('rate_limited', text, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  return new LlmError(kindOfStatus(status), text, { status });
}

function retryAfterOf(headers: Headers): number | undefined {
  return (
    parseRetryAfter(headers.get('retry-after')) ??
    parseRetryAfter(headers.get('x-ratelimit-reset-requests')) ??
    parseRetryAfter(headers.get('x-ratelimit-reset-tokens'))
  );
}

function kindOfStatus(status: number): LlmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  return status === 408 || status === 409 || status >= 500 ? 'server' : 'client';
}
