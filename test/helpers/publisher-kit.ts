// The shared publisher test kit (style.md rule 6). Every publisher runs the same three checks
// against a local HTTP server: the status -> retry table, no secret in a thrown error or a log
// line (also when the server echoes the whole request back), and golden payloads
// (test/fixtures/golden/<name>.json; UPDATE_GOLDEN=1 rewrites them).
//
// Log lines are checked twice. Everything the process prints while a publisher formats and sends
// is captured (console calls, process.stdout/stderr writes, and raw writes to fd 1 and 2, where a
// pino logger's default destination goes) and every kit send fails when one of the target's
// secrets shows in any of it; publishers print nothing today, so the check guards the first log
// line one of them adds. Then the lines the worker logs about a failed delivery (the target and
// the error, through the service logger and its redaction) are checked the same way.
import fs, { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { format as formatLine } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DeliveryAlert, type Publisher, PublishError, type Target, type FormatContext } from '../../src/core/publishing.ts';
import { Secret } from '../../src/core/secret.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createHttpSend } from '../../src/publish/http.ts';

/** A canned answer of the local server; `echo` answers with the whole request instead of `body`. */
export interface KitReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  echo?: boolean;
}

/** What the kit needs to know about one publisher. */
export interface KitCase {
  publisher: Publisher;
  /** A target pointing at `url` whose every secret contains `SECRET`. */
  target: (url: string) => Target;
  /** The vendor's success answer. */
  success: KitReply;
  /** The external ref a resolve is formatted with (Slack ts, Rootly id). */
  resolveRef?: string;
}

/** Text every kit secret contains; it must never appear in an error message. */
export const SECRET = 'kit-secret-0123456789abcdef0123';

const EVENT_BASE = {
  fingerprint: '44a691f422eafef8',
  alertname: 'KubePodCrashLooping',
  namespace: 'payments',
  severity: 'warning',
  labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'payments-api-6f7c9d8b4-7xk2p', severity: 'warning', instance: '10.0.0.7:8080' },
  annotations: { summary: 'Container keeps restarting (CrashLoopBackOff).', description: 'Container api restarted 6 times in 10 minutes (threshold > 3).' },
  startsAt: '2026-11-20T09:14:27.123456Z',
  generatorURL: 'http://prometheus.example.invalid:9090/graph?g0.expr=up',
  receiver: 'alert-history',
};

const CLASSIFICATION = {
  severity: 'critical' as const,
  confidence: 0.87,
  category: 'availability' as const,
  reasoning: 'The API container restarts in a loop, so payment requests fail for some users.',
  recommendations: ['Check the last deploy', 'Read the container logs', 'Roll back if the deploy is the cause', 'Page payments'],
  source: 'llm' as const,
  model: 'gpt-4o-mini',
  promptVersion: 'v1',
  latencyMs: 420,
  cached: false,
};

/** The alerts every publisher is golden-tested with. */
export const KIT_ALERTS: Record<string, DeliveryAlert> = {
  'firing-classified': {
    event: { ...EVENT_BASE, id: 1, status: 'firing', endsAt: null, receivedAt: '2026-11-20T09:14:30.000000Z', updatedAt: '2026-11-20T09:14:30.000000Z' },
    classification: CLASSIFICATION,
  },
  'resolved-classified': {
    event: {
      ...EVENT_BASE,
      id: 2,
      status: 'resolved',
      endsAt: '2026-11-20T09:44:27.000000Z',
      receivedAt: '2026-11-20T09:44:30.000000Z',
      updatedAt: '2026-11-20T09:44:30.000000Z',
    },
    classification: CLASSIFICATION,
  },
  'firing-unclassified': {
    event: { ...EVENT_BASE, id: 3, status: 'firing', endsAt: null, receivedAt: '2026-11-20T09:14:30.000000Z', updatedAt: '2026-11-20T09:14:30.000000Z' },
    classification: undefined,
  },
};

/** Builds a target with the kit's defaults. */
export function kitTarget(partial: Partial<Target> & Pick<Target, 'type'>): Target {
  return {
    name: `kit-${partial.type}`,
    source: 'config',
    enabled: true,
    url: undefined,
    credentials: new Secret(SECRET),
    headers: [{ name: 'X-Kit-Token', value: new Secret(`h-${SECRET}`) }],
    filter: {},
    delivery: { timeoutMs: 2000, maxAttempts: 3, ratePerMinute: 60 },
    options: {},
    ...partial,
  };
}

/**
 * Secrets of the echo target's URL: userinfo, a path segment and query values (one of them needing
 * percent-encoding), as in `http://user:pass@host/echo/SEGMENT?token=…&sig=…&x=1`.
 */
export const ECHO_URL_SECRETS = { user: 'kituser', password: 'kitpass0rd', segment: 'SECRETSEGMENT123', token: 'SECRETQUERY456', sig: 's3cr+t/sig==' } as const;

/** The echo target URL on a kit server at `base` (`http://127.0.0.1:PORT`). */
export function echoUrl(base: string): string {
  const { user, password, segment, token, sig } = ECHO_URL_SECRETS;
  return `${base.replace('://', `://${user}:${password}@`)}/echo/${segment}?token=${token}&sig=${encodeURIComponent(sig)}&x=1`;
}

/** Each value raw, percent-encoded and form-encoded: the forms a receiver may echo it in. */
export function secretForms(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((v) => [v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2)]))];
}

/** Every text that must not show for a target with the echo URL (its credentials and headers too). */
export function echoSecretForms(target: Target): string[] {
  const { user, password, segment, token, sig } = ECHO_URL_SECRETS;
  const values = [user, password, segment, token, sig, Buffer.from(`${user}:${password}`).toString('base64')];
  for (const s of [target.credentials, ...target.headers.map((h) => h.value)]) if (s && s.reveal().length >= 4) values.push(s.reveal());
  return secretForms(values);
}

/** The whole request as text: method, raw and decoded path with query, headers, body, and the same as JSON. */
function echoOf(req: IncomingMessage, body: string): string {
  const url = req.url ?? '';
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // keep the raw form
  }
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
  const json = JSON.stringify({ method: req.method, url, decoded, headers: req.headers, body });
  return [`${req.method} ${url}`, `decoded ${decoded}`, ...headers, '', body, json].join('\n');
}

/** The kit's local receiver: canned replies, or an echo of the whole request. */
export interface KitServer {
  url: string;
  reply: KitReply;
  /** The last echo sent. */
  lastEcho: string;
  close(): Promise<void>;
}

/** Starts the kit's receiver on a free loopback port. */
export async function startKitServer(): Promise<KitServer> {
  const state: { reply: KitReply; lastEcho: string } = { reply: { status: 200 }, lastEcho: '' };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (state.reply.echo) state.lastEcho = echoOf(req, body);
      res.writeHead(state.reply.status, { 'content-type': 'text/plain', ...state.reply.headers });
      res.end(state.reply.echo ? state.lastEcho : (state.reply.body ?? ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get reply() {
      return state.reply;
    },
    set reply(r: KitReply) {
      state.reply = r;
    },
    get lastEcho() {
      return state.lastEcho;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses JSON bodies inside a payload so golden files read as JSON. */
function readable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(readable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === 'body' && typeof v === 'string') {
        try {
          return [k, JSON.parse(v) as unknown];
        } catch {
          return [k, v];
        }
      }
      return [k, readable(v)];
    }),
  );
}

function checkGolden(name: string, payload: unknown): void {
  const file = new URL(`../fixtures/golden/${name}.json`, import.meta.url);
  const actual = `${JSON.stringify(readable(payload), null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(new URL('../fixtures/golden/', import.meta.url), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const RETRY_TABLE: { status: number; reason: string; retryable: boolean; retryAfter?: string }[] = [
  { status: 400, reason: 'client_error', retryable: false },
  { status: 401, reason: 'auth_error', retryable: false },
  { status: 403, reason: 'auth_error', retryable: false },
  { status: 404, reason: 'client_error', retryable: false },
  { status: 408, reason: 'server_error', retryable: true },
  { status: 429, reason: 'rate_limited', retryable: true, retryAfter: '7' },
  { status: 500, reason: 'server_error', retryable: true },
  { status: 503, reason: 'server_error', retryable: true, retryAfter: '2' },
];

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  return chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : formatLine('%o', chunk);
}

/** Spies that record what is printed to stdout and stderr instead of printing it. */
function capturePrints(lines: string[]): (() => void)[] {
  const onConsole = (...args: unknown[]): void => void lines.push(formatLine(...args));
  const onStream = (chunk: unknown): boolean => lines.push(chunkText(chunk)) > 0;
  const write = fs.write;
  const writeSync = fs.writeSync;
  const isStdio = (fd: unknown): boolean => fd === 1 || fd === 2;
  const spies = [
    ...CONSOLE_METHODS.map((m) => vi.spyOn(console, m).mockImplementation(onConsole)),
    vi.spyOn(process.stdout, 'write').mockImplementation(onStream),
    vi.spyOn(process.stderr, 'write').mockImplementation(onStream),
    vi.spyOn(fs, 'write').mockImplementation((...args: unknown[]) => {
      if (!isStdio(args[0])) return Reflect.apply(write, fs, args) as unknown;
      lines.push(chunkText(args[1]));
      const done = args.at(-1) as (err: null, written: number) => void;
      done(null, Buffer.byteLength(chunkText(args[1])));
    }),
    vi.spyOn(fs, 'writeSync').mockImplementation((...args: unknown[]) => {
      if (!isStdio(args[0])) return Reflect.apply(writeSync, fs, args) as number;
      lines.push(chunkText(args[1]));
      return Buffer.byteLength(chunkText(args[1]));
    }),
  ];
  return spies.map((s) => () => s.mockRestore());
}

/** What the process printed while `fn` ran (console, stdout/stderr, raw fd 1/2 writes), and how `fn` ended. */
export async function printedDuring<T>(fn: () => T | Promise<T>): Promise<{ lines: string[]; outcome: PromiseSettledResult<T> }> {
  const lines: string[] = [];
  const restore = capturePrints(lines);
  try {
    return { lines, outcome: { status: 'fulfilled', value: await fn() } };
  } catch (reason) {
    return { lines, outcome: { status: 'rejected', reason } };
  } finally {
    for (const r of restore) r();
  }
}

/** The forms of the target's secrets (and the kit's) that show in any of the lines. */
export function secretsIn(lines: readonly string[], target: Target): string[] {
  const forms = new Set([...echoSecretForms(target), ...secretForms([SECRET])]);
  return [...forms].filter((form) => lines.some((line) => line.includes(form)));
}

/** Formats and sends one alert the way the worker does, capturing what the publisher printed. */
export async function kitSend(
  c: KitCase,
  server: KitServer,
  alert: DeliveryAlert,
  target = c.target(server.url),
): Promise<{ lines: string[]; outcome: PromiseSettledResult<unknown> }> {
  const ctx: FormatContext = {
    target,
    externalRef: alert.event.status === 'resolved' ? c.resolveRef : undefined,
    dashboardUrl: 'https://alert-history.example.invalid',
  };
  return printedDuring(() => c.publisher.send(c.publisher.format(alert, ctx), { target, http: createHttpSend(target, { timeoutMs: 2000, userAgent: 'kit' }) }));
}

/** Sends once; fails when the publisher printed a secret, whether the send succeeded or not. */
async function sendOnce(c: KitCase, server: KitServer, alert: DeliveryAlert, target = c.target(server.url)): Promise<unknown> {
  const { lines, outcome } = await kitSend(c, server, alert, target);
  expect(secretsIn(lines, target), `a secret in what ${c.publisher.type} printed:\n${lines.join('')}`).toEqual([]);
  if (outcome.status === 'rejected') throw outcome.reason;
  return outcome.value;
}

async function failureOf(c: KitCase, server: KitServer, target?: Target): Promise<PublishError> {
  const err = await sendOnce(c, server, KIT_ALERTS['firing-classified']!, target).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PublishError);
  return err as PublishError;
}

/** What the service logger writes for a failed delivery (as the worker logs it), the target and the error. */
function logged(target: Target, err: PublishError): string {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  logger.warn({ target: target.name, reason: err.reason, status_code: err.statusCode, error: err.message }, 'delivery attempt failed');
  logger.warn({ target, err }, 'delivery failed');
  expect(lines).toHaveLength(2);
  return lines.join('');
}

/** Defines the kit's suites for one publisher. */
export function runPublisherKit(c: KitCase): void {
  describe(`${c.publisher.type} publisher kit`, () => {
    let server: KitServer;
    beforeAll(async () => {
      server = await startKitServer();
    });
    afterAll(() => server.close());

    it('succeeds on the vendor success answer', async () => {
      server.reply = c.success;
      const result = (await sendOnce(c, server, KIT_ALERTS['firing-classified']!)) as { statusCode: number };
      expect(result.statusCode).toBe(c.success.status);
    });

    it.each(RETRY_TABLE)('maps HTTP $status to $reason (retryable $retryable)', async (row) => {
      server.reply = { status: row.status, body: `error echoing ${SECRET}`, headers: row.retryAfter ? { 'retry-after': row.retryAfter } : {} };
      const err = await failureOf(c, server);
      expect({ reason: err.reason, retryable: err.retryable, statusCode: err.statusCode }).toEqual({
        reason: row.reason,
        retryable: row.retryable,
        statusCode: row.status,
      });
      if (row.retryAfter) expect(err.retryAfterMs).toBe(Number(row.retryAfter) * 1000);
    });

    it('never puts a secret in a thrown error, even when the server echoes it', async () => {
      server.reply = { status: 500, body: `bad token ${SECRET} for h-${SECRET}` };
      const err = await failureOf(c, server);
      const seen = `${err.message} ${String(err)} ${JSON.stringify(err)} ${JSON.stringify(c.target(server.url))}`;
      expect(seen).not.toContain(SECRET);
      expect(err.message).toContain('HTTP 500');
    });

    it.each([500, 400])('never shows the URL, credentials or headers when the server echoes the whole request (HTTP %i)', async (status) => {
      const target: Target = { ...c.target(server.url), url: new Secret(echoUrl(server.url)) };
      server.reply = { status, echo: true };
      const err = await failureOf(c, server, target);
      expect(server.lastEcho).toContain(ECHO_URL_SECRETS.segment);
      expect(server.lastEcho).toContain(ECHO_URL_SECRETS.token);
      const seen = `${err.message} ${String(err)} ${JSON.stringify(err)} ${logged(target, err)}`;
      for (const secret of echoSecretForms(target)) expect(seen, secret).not.toContain(secret);
      expect(err.message).toContain(`HTTP ${status}`);
    });

    it('prints no secret while it formats and sends, succeeds, fails, or the server echoes the request', async () => {
      const plain = c.target(server.url);
      const echoing: Target = { ...plain, url: new Secret(echoUrl(server.url)) };
      const sends: [KitReply, Target, DeliveryAlert][] = [
        [c.success, plain, KIT_ALERTS['firing-classified']!],
        [c.success, plain, KIT_ALERTS['resolved-classified']!],
        [{ status: 401, body: `bad token ${SECRET}` }, plain, KIT_ALERTS['firing-unclassified']!],
        [{ status: 500, echo: true }, echoing, KIT_ALERTS['firing-classified']!],
        [{ status: 429, echo: true, headers: { 'retry-after': '1' } }, echoing, KIT_ALERTS['resolved-classified']!],
      ];
      for (const [reply, target, alert] of sends) {
        server.reply = reply;
        const { lines } = await kitSend(c, server, alert, target);
        expect(secretsIn(lines, target), lines.join('')).toEqual([]);
      }
    });

    it('validates a good target', () => {
      expect(c.publisher.validate(c.target('https://example.invalid'))).toEqual([]);
    });

    it.each(Object.keys(KIT_ALERTS))('formats %s as the golden payload', (name) => {
      const alert = KIT_ALERTS[name]!;
      const target = c.target('https://vendor.example.invalid/base');
      const ctx: FormatContext = {
        target,
        externalRef: alert.event.status === 'resolved' ? c.resolveRef : undefined,
        dashboardUrl: 'https://alert-history.example.invalid',
      };
      checkGolden(`${c.publisher.type}-${name}`, c.publisher.format(alert, ctx));
    });
  });
}
