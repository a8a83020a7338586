// The shared publisher test kit (style.md rule 6). Every publisher runs the same three checks
// against a local HTTP server: the status -> retry table, no secret in a thrown error or a log
// line, and golden payloads (test/fixtures/golden/<name>.json; UPDATE_GOLDEN=1 rewrites them).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryAlert, type Publisher, PublishError, type Target, type FormatContext } from '../../src/core/publishing.ts';
import { Secret } from '../../src/core/secret.ts';
import { createHttpSend } from '../../src/publish/http.ts';

/** A canned answer of the local server. */
export interface KitReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
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
    event: { ...EVENT_BASE, id: 2, status: 'resolved', endsAt: '2026-11-20T09:44:27.000000Z', receivedAt: '2026-11-20T09:44:30.000000Z', updatedAt: '2026-11-20T09:44:30.000000Z' },
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

interface KitServer {
  url: string;
  reply: KitReply;
  close(): Promise<void>;
}

async function startKitServer(): Promise<KitServer> {
  const state: { reply: KitReply } = { reply: { status: 200 } };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(state.reply.status, { 'content-type': 'text/plain', ...state.reply.headers });
      res.end(state.reply.body ?? '');
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
    close: () => new Promise<void>((resolve) => {
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

async function sendOnce(c: KitCase, server: KitServer, alert: DeliveryAlert): Promise<unknown> {
  const target = c.target(server.url);
  const ctx: FormatContext = { target, externalRef: alert.event.status === 'resolved' ? c.resolveRef : undefined, dashboardUrl: 'https://alert-history.example.invalid' };
  const payload = c.publisher.format(alert, ctx);
  return c.publisher.send(payload, { target, http: createHttpSend(target, { timeoutMs: 2000, userAgent: 'kit' }) });
}

async function failureOf(c: KitCase, server: KitServer): Promise<PublishError> {
  const err = await sendOnce(c, server, KIT_ALERTS['firing-classified']!).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PublishError);
  return err as PublishError;
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
      expect({ reason: err.reason, retryable: err.retryable, statusCode: err.statusCode }).toEqual({ reason: row.reason, retryable: row.retryable, statusCode: row.status });
      if (row.retryAfter) expect(err.retryAfterMs).toBe(Number(row.retryAfter) * 1000);
    });

    it('never puts a secret in a thrown error, even when the server echoes it', async () => {
      server.reply = { status: 500, body: `bad token ${SECRET} for h-${SECRET}` };
      const err = await failureOf(c, server);
      const seen = `${err.message} ${String(err)} ${JSON.stringify(err)} ${JSON.stringify(c.target(server.url))}`;
      expect(seen).not.toContain(SECRET);
      expect(err.message).toContain('HTTP 500');
    });

    it('validates a good target', () => {
      expect(c.publisher.validate(c.target('https://example.invalid'))).toEqual([]);
    });

    it.each(Object.keys(KIT_ALERTS))('formats %s as the golden payload', (name) => {
      const alert = KIT_ALERTS[name]!;
      const target = c.target('https://vendor.example.invalid/base');
      const ctx: FormatContext = { target, externalRef: alert.event.status === 'resolved' ? c.resolveRef : undefined, dashboardUrl: 'https://alert-history.example.invalid' };
      checkGolden(`${c.publisher.type}-${name}`, c.publisher.format(alert, ctx));
    });
  });
}
