// JSON logs (pino) with secrets redacted by path: credentials in headers, config and errors.
import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-litellm-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.apiTokens',
  '*.bearerToken',
  'config.database.url',
  'config.webhook.auth',
  'config.auth.apiTokens',
  'config.llm.apiKey',
  'config.redis.url',
  // Publishing targets as configured: URLs (Slack webhook paths, query tokens), keys, header values.
  'config.publishing.targets[*].url',
  'config.publishing.targets[*].credentials',
  'config.publishing.targets[*].headers[*].value',
  '*.credentials',
  '*.routing_key',
  'headers.authorization',
  '*.headers.authorization',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  /** Where to write; stdout by default. */
  destination?: NodeJS.WritableStream;
}

/** Creates the service logger. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'alert-history' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
