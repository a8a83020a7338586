/** Every error code the service answers with, its HTTP status and default message (one registry). */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, message: 'request is invalid' },
  AUTHENTICATION_ERROR: { status: 401, message: 'authentication required' },
  AUTHORIZATION_ERROR: { status: 403, message: 'not allowed' },
  NOT_FOUND: { status: 404, message: 'not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  CONFLICT: { status: 409, message: 'conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  RATE_LIMITED: { status: 429, message: 'rate limited' },
  INTERNAL_ERROR: { status: 500, message: 'internal error' },
  NOT_CONFIGURED: { status: 501, message: 'not configured on this service' },
  UPSTREAM_ERROR: { status: 502, message: 'upstream error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'service unavailable' },
  TIMEOUT: { status: 504, message: 'timed out' },
} as const;

/** One of the codes in {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A failing field of a request, as `details.fields[]` reports it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Options of an {@link AppError}. */
export interface AppErrorOptions {
  details?: Record<string, unknown>;
  retryable?: boolean;
  cause?: unknown;
  headers?: Record<string, string>;
}

/** The one error family of the service: a code, a safe message, details, a retryable flag. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.retryable = options.retryable ?? this.status >= 500;
    this.headers = options.headers;
  }
}

/** A 400 listing every failing field. */
export function validationError(fields: FieldIssue[], message?: string): AppError {
  const text = message ?? fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
  return new AppError('VALIDATION_ERROR', text, { details: { fields } });
}
