// Targets named by key on the publishing API, over a real outbox (PostgreSQL and PGlite): two
// watched namespaces each hold a target called `slack`, one holds `pager`, config.yaml holds `hook`.
// /publishing/targets carries name, namespace and key; a test send and the deliveries filter take
// the key (URL-encoded), a bare name only one target holds (with that target's rows recorded by
// bare name before the upgrade), and answer a bare name two namespaces share with 409 naming both.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { DeliveriesResponse, PublishingTargetsResponse, TestSendResponse } from '../../src/api/contract-publishing.ts';
import { errorHandler } from '../../src/api/middleware/errors.ts';
import { requestContext } from '../../src/api/middleware/request-context.ts';
import { RouteTable } from '../../src/http/route-table.ts';
import { registerPublishingRoutes } from '../../src/api/routes/publishing.ts';
import type { Target } from '../../src/core/publishing.ts';
import { Secret } from '../../src/core/secret.ts';
import { targetKey } from '../../src/core/target-key.ts';
import type { NormalizedAlert } from '../../src/core/types.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createOperatorTargetCatalog } from '../../src/operator/catalog.ts';
import { createTargetGuards } from '../../src/pipeline/target-guard.ts';
import { createAlertStore } from '../../src/store/alert-store.ts';
import type { Db } from '../../src/store/db.ts';
import { createDeliveryStore } from '../../src/store/outbox.ts';
import { backends } from '../helpers/backends.ts';

function target(name: string, namespace?: string): Target {
  return {
    name,
    namespace,
    source: namespace ? 'crd' : 'config',
    type: 'webhook',
    enabled: true,
    url: new Secret(`https://hooks.example.invalid/${namespace ?? 'config'}/${name}`),
    credentials: undefined,
    headers: [],
    filter: { excludeNoise: true },
    delivery: { timeoutMs: 1000, maxAttempts: 3, ratePerMinute: 600 },
    options: {},
  };
}

function alert(fingerprint: string): NormalizedAlert {
  return {
    fingerprint,
    status: 'firing',
    labels: { alertname: 'KeyedTargets' },
    annotations: {},
    startsAt: '2026-12-01T10:00:00.000000Z',
    endsAt: null,
    generatorURL: '',
  };
}

describe.each(backends())('targets named by key on $name', (backend) => {
  let db: Db;
  let server: Server;
  let url: string;
  const sent: Target[] = [];

  beforeAll(async () => {
    db = await backend.fresh();
    const catalog = createOperatorTargetCatalog({ config: [target('hook')], relist: () => Promise.resolve() });
    for (const t of [target('slack', 'team-a'), target('slack', 'team-b'), target('pager', 'team-a')]) catalog.setResource(targetKey(t), t);
    const store = createAlertStore(db);
    const batch = (fp: string): { alerts: NormalizedAlert[]; receiver: null; groupKey: null; source: 'proxy' } => ({
      alerts: [alert(fp)],
      receiver: null,
      groupKey: null,
      source: 'proxy',
    });
    // Rows of today's keys, rows recorded by bare name before the upgrade (`pager`, `slack`), and a second team-a/slack row.
    await store.record(batch('aaaaaaaaaaaaaaa1'), {
      targets: ['team-a/slack', 'team-b/slack', 'team-a/pager', 'hook', 'pager', 'slack'],
      routingGraceMs: 60_000,
    });
    await store.record(batch('aaaaaaaaaaaaaaa2'), { targets: ['team-a/slack'], routingGraceMs: 60_000 });
    const app = express();
    const router = express.Router();
    app.use(requestContext({ metrics: createMetrics(() => Promise.resolve(0)), logger: pino({ level: 'silent' }), logging: 'none' }));
    registerPublishingRoutes(router, new RouteTable(), {
      catalog,
      outbox: createDeliveryStore(db),
      guards: createTargetGuards({ consecutiveFailures: 5, halfOpenAfterMs: 1000, now: () => Date.now() }, () => undefined),
      testSend: (t) => {
        sent.push(t);
        return Promise.resolve({ success: true, statusCode: 200, responseTimeMs: 1, error: null });
      },
      onRefresh: () => undefined,
      guard: (_req, _res, next) => next(),
    });
    app.use(router);
    app.use(errorHandler(pino({ level: 'silent' })));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  const deliveryTargets = async (ref: string): Promise<string[]> =>
    DeliveriesResponse.parse(await (await fetch(`${url}/publishing/deliveries?target=${encodeURIComponent(ref)}`)).json())
      .deliveries.map((d) => d.target)
      .sort();
  const testSend = (ref: string): Promise<Response> => fetch(`${url}/publishing/test/${encodeURIComponent(ref)}`, { method: 'POST' });

  it('lists each target with its name, namespace and key, and its own counts', async () => {
    const targets = PublishingTargetsResponse.parse(await (await fetch(`${url}/publishing/targets`)).json());
    expect(targets.map((t) => [t.key, t.name, t.namespace, t.pending])).toEqual([
      ['hook', 'hook', null, 1],
      ['team-a/pager', 'pager', 'team-a', 1],
      ['team-a/slack', 'slack', 'team-a', 2],
      ['team-b/slack', 'slack', 'team-b', 1],
    ]);
  });

  it('filters deliveries by key, and by a bare name only one target holds (with its rows from before keys)', async () => {
    expect(await deliveryTargets('team-a/slack')).toEqual(['team-a/slack', 'team-a/slack']);
    expect(await deliveryTargets('team-b/slack')).toEqual(['team-b/slack']);
    expect(await deliveryTargets('pager')).toEqual(['pager', 'team-a/pager']);
    expect(await deliveryTargets('hook')).toEqual(['hook']);
    expect(await deliveryTargets('team-c/gone')).toEqual([]);
  });

  it('answers a bare name two namespaces share with 409 naming both keys', async () => {
    const res = await fetch(`${url}/publishing/deliveries?target=slack`);
    expect(res.status).toBe(409);
    const body = ErrorEnvelope.parse(await res.json());
    expect(body).toMatchObject({ code: 'CONFLICT', details: { target: 'slack', candidates: ['team-a/slack', 'team-b/slack'] } });
    expect(body.error).toContain('team-a/slack, team-b/slack');
  });

  it('sends a test alert to the target a key names', async () => {
    const body = TestSendResponse.parse(await (await testSend('team-b/slack')).json());
    expect(body).toMatchObject({ target_name: 'slack', target_namespace: 'team-b', target_key: 'team-b/slack', success: true });
    expect(sent.at(-1)?.url?.reveal()).toBe('https://hooks.example.invalid/team-b/slack');
    const config = TestSendResponse.parse(await (await testSend('hook')).json());
    expect(config).toMatchObject({ target_name: 'hook', target_namespace: null, target_key: 'hook' });
  });

  it('takes an unambiguous bare name for a test send, 409s a shared one and 404s an unknown key', async () => {
    expect(TestSendResponse.parse(await (await testSend('pager')).json()).target_key).toBe('team-a/pager');
    const before = sent.length;
    const shared = await testSend('slack');
    expect(shared.status).toBe(409);
    expect(ErrorEnvelope.parse(await shared.json()).details).toMatchObject({ candidates: ['team-a/slack', 'team-b/slack'] });
    const unknown = await testSend('team-c/slack');
    expect(unknown.status).toBe(404);
    ErrorEnvelope.parse(await unknown.json());
    expect(sent.length).toBe(before);
  });
});
