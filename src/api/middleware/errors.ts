// The ONE place errors become HTTP: every 4xx/5xx answers with the error envelope of the contract,
// readable by the Python clients (`detail`) and the Go clients (`error`, `code`).
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type ErrorCode } from '../../core/errors.ts';

const BODY_PARSER_CODES: Record<string, ErrorCode> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
  'request.aborted': 'VALIDATION_ERROR',
  'entity.parse.failed': 'VALIDATION_ERROR',
  'request.size.invalid': 'VALIDATION_ERROR',
  'stream.encoding.set': 'INTERNAL_ERROR',
};

/** Maps anything thrown to an {@link AppError}. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && type in BODY_PARSER_CODES) {
    const code = BODY_PARSER_CODES[type] ?? 'INTERNAL_ERROR';
    const limit = (err as { limit?: number }).limit;
    const message = code === 'PAYLOAD_TOO_LARGE' && limit ? `request body larger than ${limit} bytes` : undefined;
    return new AppError(code, message, { cause: err });
  }
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
    const error = toAppError(err);
    if (error.status >= 500) {
      const cause = error.cause instanceof Error ? { message: error.cause.message, code: (error.cause as { code?: unknown }).code } : undefined;
      logger.error({ code: error.code, cause, route: req.path, request_id: res.locals.requestId as string }, error.message);
    }
    if (res.headersSent) return;
    sendError(res, error);
  };
}
