// auth.protectReads covers every read (issue 10, defect 14): the test walks every route the app
// registered, so a read route added later without a guard fails here. With protected reads and no
// token, every GET answers 401 except the public list (probes, metrics, the OpenAPI document;
// the stream checks its own ticket or token and is refused too); every write but the webhooks
// (their own credential) answers 401; the dashboard's HTML and assets stay public.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_READS } from '../../src/api/app.ts';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'api-token-read-protection-00';
const STREAM = '/api/v2/events/stream';
/** The inputs from Alertmanager: their own credential (webhook.auth), not the API token. */
const WEBHOOKS = ['/webhook', '/webhook/proxy', '/events/alertmanager'];

/** A concrete path for an Express route path (parameters filled in). */
const concrete = (path: string): string => path.replace(/:(\w+)/g, 'x$1');

async function status(svc: TestService, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${svc.url}${path}`, { method: method.toUpperCase(), headers });
  await res.body?.cancel();
  return res.status;
}

describe('read protection', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), { API_TOKENS: TOKEN, API_PROTECT_READS: 'true' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('answers 401 on every registered GET route without a token, except the public ones', async () => {
    const reads = svc.routes.filter((r) => r.method === 'get');
    expect(reads.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/classification/:fingerprint',
        '/classification/stats',
        '/enrichment/mode',
        '/history',
        '/publishing/deliveries',
        '/api/dashboard/overview',
        STREAM,
      ]),
    );
    const open: string[] = [];
    for (const route of reads) if ((await status(svc, 'get', concrete(route.path))) !== 401) open.push(route.path);
    expect(open.sort()).toEqual(PUBLIC_READS.filter((p) => p !== STREAM).sort());
    const body = ErrorEnvelope.parse(await (await fetch(`${svc.url}/classification/stats`)).json());
    expect(body.code).toBe('AUTHENTICATION_ERROR');
  });

  it('lets the token through on every protected read', async () => {
    const reads = svc.routes.filter((r) => r.method === 'get' && !PUBLIC_READS.includes(r.path));
    for (const route of reads) {
      expect(await status(svc, 'get', concrete(route.path), { authorization: `Bearer ${TOKEN}` }), route.path).not.toBe(401);
    }
  });

  it('answers 401 on every write without a token, except the webhooks', async () => {
    const writes = svc.routes.filter((r) => r.method !== 'get' && !WEBHOOKS.includes(r.path));
    expect(writes.length).toBeGreaterThan(5);
    for (const route of writes) expect(await status(svc, route.method, concrete(route.path)), `${route.method} ${route.path}`).toBe(401);
  });

  it('keeps the dashboard HTML and its assets public', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/history', '/dashboard/assets/app.js', '/dashboard/assets/live.js']) {
      expect(await status(svc, 'get', path), path).toBe(200);
    }
  });
});

describe('start-up warning without a token', () => {
  it('logs one warning that management routes and reads are open, and none when a token is set', async () => {
    const open = await startTestService(await backends().at(-1)!.fresh());
    const closed = await startTestService(await backends().at(-1)!.fresh(), { API_TOKENS: TOKEN });
    try {
      const warnings = (svc: TestService): string[] => svc.logs.filter((l) => l.includes('no API token configured'));
      expect(warnings(open)).toHaveLength(1);
      expect(JSON.parse(warnings(open)[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('management routes') as unknown });
      expect(warnings(closed)).toHaveLength(0);
    } finally {
      await open.stop();
      await closed.stop();
    }
  });
});
