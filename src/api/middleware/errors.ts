// The ONE place errors become HTTP: every 4xx/5xx answers with the error envelope of the contract,
// readable by the Python clients (`detail`) and the Go clients (`error`, `code`).
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, ERROR_CODES, type ErrorCode } from '../../core/errors.ts';
import { undecodablePathError } from './path-params.ts';
import { isRecord } from '../../core/guards.ts';

const BODY_PARSER_CODES: Record<string, ErrorCode> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'request.aborted': 'VALIDATION_ERROR',
  'entity.parse.failed': 'VALIDATION_ERROR',
  'request.size.invalid': 'VALIDATION_ERROR',
  'stream.encoding.set': 'INTERNAL_ERROR',
};

interface ThirdPartyError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  code?: unknown;
  limit?: unknown;
  message?: unknown;
}

/** The 4xx status a library error (body-parser, router, http-errors) carries, if any. */
function clientStatus(err: ThirdPartyError): number | undefined {
  const status = err.status ?? err.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function codeForStatus(status: number): ErrorCode {
  // Object.keys of the const registry is exactly its codes (TypeScript widens it to string[]).
  const found = (Object.keys(ERROR_CODES) as ErrorCode[]).find((code) => ERROR_CODES[code].status === status);
  return found ?? 'VALIDATION_ERROR';
}

function clientMessage(err: ThirdPartyError): string {
  const detail = typeof err.message === 'string' ? err.message.slice(0, 160) : 'unreadable request';
  // zlib's codes: the body does not decompress as its Content-Encoding claims.
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) return `request body does not match its Content-Encoding (${detail})`;
  return `request could not be read: ${detail}`;
}

const isDecodeParamError = (err: unknown): boolean => err instanceof URIError && 'status' in err && err.status === 400;

/**
 * Maps anything thrown to an {@link AppError}: ours pass through, library errors that carry a 4xx
 * (body-parser, zlib behind a false Content-Encoding, the router's undecodable path parameter)
 * keep their 4xx, and everything else is a 500.
 */
export function toAppError(err: unknown, req?: Request): AppError {
  if (err instanceof AppError) return err;
  if (isDecodeParamError(err)) return undecodablePathError(req);
  const known: ThirdPartyError = isRecord(err) ? err : {};
  if (typeof known.type === 'string' && known.type in BODY_PARSER_CODES) {
    const code = BODY_PARSER_CODES[known.type] ?? 'INTERNAL_ERROR';
    const message = code === 'PAYLOAD_TOO_LARGE' && typeof known.limit === 'number' ? `request body larger than ${known.limit} bytes` : undefined;
    return new AppError(code, message, { cause: err });
  }
  const status = clientStatus(known);
  if (status !== undefined) return new AppError(codeForStatus(status), clientMessage(known), { cause: err });
  return new AppError('INTERNAL_ERROR', undefined, { cause: err, retryable: false });
}

/** Writes the error envelope; `extra` fields are merged in (for example readiness checks). */
export function sendError(res: Response, error: AppError, extra: Record<string, unknown> = {}): void {
  if (error.headers) res.set(error.headers);
  res.status(error.status).json({
    ...extra,
    error: error.message,
    code: error.code,
    detail: error.message,
    details: error.details ?? {},
    request_id: res.locals.requestId as string | undefined,
  });
}

/** The error middleware: logs server errors with their cause, never the request body. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = toAppError(err, req);
    // A body still on the wire is not drained for a reuse of the connection: answer and close.
    if (!req.complete && !res.headersSent) res.set('Connection', 'close');
    if (error.status >= 500) {
      const cause = error.cause instanceof Error ? { message: error.cause.message, code: 'code' in error.cause ? error.cause.code : undefined } : undefined;
      // 503 is a bounded refusal (read deadline, subscriber cap, open circuit, database down): warn.
      const level = error.status === 503 ? 'warn' : 'error';
      logger[level]({ code: error.code, cause, route: req.path, request_id: res.locals.requestId as string }, error.message);
    }
    if (res.headersSent) return;
    sendError(res, error);
  };
}
