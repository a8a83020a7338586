// What can go wrong before an HTTP answer arrives, in the two words of the failure vocabulary
// (core/publishing.ts FAILURE_REASONS, classify/llm-errors.ts): `timeout` and `network`, the
// latter with the undici or system code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET...). Each client
// maps an OutboundError into its own errors; messages name the request by its masked URL only.
import { isRecord } from '../core/guards.ts';

/** The two ways an exchange fails without an answer. */
export type OutboundFailureKind = 'timeout' | 'network';

/** Codes undici gives its own deadlines (headersTimeout, bodyTimeout): a timeout, not a network fault. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A request that got no answer. The underlying error is not kept as `cause`: fetch's own messages
 * can quote the whole URL (credentials, tokens in paths), and this error gets logged.
 */
export class OutboundError extends Error {
  readonly kind: OutboundFailureKind;
  /** The undici or system error code, when there was one (network failures). */
  readonly code: string | undefined;
  /** The deadline that passed (timeouts). */
  readonly timeoutMs: number | undefined;

  constructor(kind: OutboundFailureKind, message: string, options: { code?: string | undefined; timeoutMs?: number } = {}) {
    super(message);
    this.name = 'OutboundError';
    this.kind = kind;
    this.code = options.code;
    this.timeoutMs = options.timeoutMs;
  }
}

function stringProp(value: unknown, key: 'name' | 'code'): string | undefined {
  if (!isRecord(value)) return undefined;
  const prop = value[key];
  return typeof prop === 'string' ? prop : undefined;
}

/** The code of a fetch failure (on its cause) or of an undici/system error (on itself). */
export function errorCode(err: unknown): string | undefined {
  return stringProp(isRecord(err) ? err.cause : undefined, 'code') ?? stringProp(err, 'code');
}

function isTimeout(err: unknown, code: string | undefined): boolean {
  const name = stringProp(err, 'name');
  return name === 'TimeoutError' || name === 'AbortError' || (code !== undefined && TIMEOUT_CODES.has(code));
}

/**
 * Maps what fetch or undici threw into an OutboundError: an abort or a deadline is `timeout`,
 * anything else `network` with its code. `where` names the request (`POST https://host/***`).
 */
export function toOutboundError(err: unknown, context: { where: string; timeoutMs: number }): OutboundError {
  if (err instanceof OutboundError) return err;
  const code = errorCode(err);
  if (isTimeout(err, code)) {
    return new OutboundError('timeout', `${context.where}: no answer within ${context.timeoutMs} ms`, { timeoutMs: context.timeoutMs });
  }
  return new OutboundError('network', `${context.where}: network error${code ? ` (${code})` : ''}`, { code });
}
