// Properties of the HTTP layer on the embedded store: for any generated webhook body (with any
// Content-Encoding claim), query string or path parameter the answer is 2xx or 4xx, every 4xx is
// the error envelope, and a rejected webhook stores nothing.
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { hostileBody, percentBytes, rawQueryString } from '../helpers/hostile.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const embedded = backends().find((b) => b.name === 'pglite')!;

async function rowCount(svc: TestService): Promise<number> {
  const [row] = await svc.db.query<{ n: number }>('SELECT (SELECT count(*) FROM alert_events) + (SELECT count(*) FROM alerts) AS n');
  return Number(row!.n);
}

/** 2xx, or 4xx with the envelope; never 5xx. */
async function expectClean(res: Response): Promise<void> {
  expect(res.status, `${res.status} ${res.url}`).toBeLessThan(500);
  if (res.status >= 400) ErrorEnvelope.parse(await res.json());
  else await res.arrayBuffer();
}

type Encoding = 'none' | 'gzip' | 'gzip-claimed' | 'deflate' | 'unknown';

function encode(json: string, encoding: Encoding): { body: Buffer; headers: Record<string, string> } {
  const raw = Buffer.from(json);
  if (encoding === 'gzip') return { body: gzipSync(raw), headers: { 'content-encoding': 'gzip' } };
  if (encoding === 'gzip-claimed') return { body: raw, headers: { 'content-encoding': 'gzip' } };
  if (encoding === 'deflate') return { body: deflateSync(raw), headers: { 'content-encoding': 'deflate' } };
  if (encoding === 'unknown') return { body: raw, headers: { 'content-encoding': 'x-zip' } };
  return { body: raw, headers: {} };
}

const encodings = fc.constantFrom<Encoding>('none', 'none', 'none', 'gzip', 'gzip-claimed', 'deflate', 'unknown');

const READ_ROUTES: Record<string, readonly string[]> = {
  '/history': ['limit', 'offset', 'page', 'since', 'until', 'alertname', 'status', 'fingerprint', 'namespace', 'severity', 'order'],
  '/history/top': ['since', 'until', 'limit', 'namespace'],
  '/history/flapping': ['since', 'until', 'limit', 'threshold'],
  '/history/stats': ['since', 'until'],
  '/history/recent': ['limit'],
  '/report': ['since', 'until', 'alertname', 'namespace', 'top', 'min_flap'],
  '/publishing/deliveries': ['target', 'fingerprint', 'state', 'limit', 'offset', 'page'],
  '/api/dashboard/charts': ['hours'],
  '/api/dashboard/alerts/recent': ['limit', 'severity', 'status'],
};

const readRequest = fc.constantFrom(...Object.keys(READ_ROUTES)).chain((route) => rawQueryString(READ_ROUTES[route]!).map((query) => `${route}?${query}`));

describe('HTTP properties on the embedded store', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await embedded.fresh(), { WEBHOOK_MAX_LABELS_PER_ALERT: '8', WEBHOOK_MAX_ANNOTATIONS_PER_ALERT: '8' });
    // Something to page through, so reads run their SQL on rows.
    const alerts = Array.from({ length: 5 }, (_, i) => ({ status: 'firing', labels: { alertname: 'Seed', i: String(i) }, startsAt: '2026-11-20T09:14:27Z' }));
    expect((await svc.post('/webhook', { alerts })).status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('any webhook body: 2xx, or a 4xx envelope that stored nothing', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(hostileBody({ maxAlerts: 4, maxKeys: 10 }), encodings, async (value, encoding) => {
        const { body, headers } = encode(JSON.stringify(value) ?? 'null', encoding);
        const before = await rowCount(svc);
        const res = await svc.post('/webhook', body, headers);
        statuses.add(res.status);
        await expectClean(res);
        if (res.status >= 400) expect(await rowCount(svc)).toBe(before);
      }),
      { numRuns: 100 },
    );
    expect([...statuses].some((s) => s < 300) && [...statuses].some((s) => s >= 400)).toBe(true);
  });

  it('any query string on the read routes: 2xx or a 4xx envelope', async () => {
    await fc.assert(
      fc.asyncProperty(readRequest, async (path) => {
        await expectClean(await svc.get(path));
      }),
      { numRuns: 100 },
    );
  });

  it('any bytes as a path parameter: 2xx or a 4xx envelope', async () => {
    const route = fc.constantFrom('/history/', '/classification/', '/publishing/targets/', '/dashboard/');
    await fc.assert(
      fc.asyncProperty(route, percentBytes(6), async (prefix, param) => {
        await expectClean(await svc.get(`${prefix}${param}`));
      }),
      { numRuns: 50 },
    );
  });
});
