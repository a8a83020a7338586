// PostgreSQL made unreachable mid-run (a cut TCP proxy in front of the real server): ingest answers
// 503 (Alertmanager retries 5xx), readiness fails, and after recovery every alert is stored once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope, ReadyzResponse } from '../../src/api/contract.ts';
import { postgresOnly } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { openPostgres } from '../../src/store/pg.ts';
import pino from 'pino';
import { inject } from 'vitest';

function alert(i: number): object {
  return {
    version: '4',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'OutageProbe', seq: String(i) },
        startsAt: '2026-11-22T09:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
      },
    ],
  };
}

const backend = postgresOnly();

describe.runIf(backend)('PostgreSQL outage', () => {
  let proxy: TcpProxy;
  let svc: TestService;

  beforeAll(async () => {
    const db = await backend!.fresh();
    await db.close();
    const target = new URL(backend!.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(backend!.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const proxied = openPostgres({
      url: viaProxy.toString(),
      poolSize: 4,
      connectTimeoutMs: 1_000,
      statementTimeoutMs: 5_000,
      logger: pino({ level: 'silent' }),
    });
    svc = await startTestService(proxied);
  });
  afterAll(async () => {
    await svc?.stop();
    await proxy?.close();
  });

  it('answers 503 while the database is gone and loses nothing after it returns', async () => {
    const accepted: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await svc.post('/webhook', alert(i));
      expect(res.status).toBe(200);
      accepted.push(i);
    }
    await proxy.cut();
    const pending: number[] = [];
    for (let i = 5; i < 10; i++) {
      const res = await svc.post('/webhook', alert(i));
      expect(res.status).toBe(503);
      expect(ErrorEnvelope.parse(await res.json()).code).toBe('SERVICE_UNAVAILABLE');
      pending.push(i);
    }
    const ready = await svc.get('/readyz');
    expect(ready.status).toBe(503);
    const readyBody = ReadyzResponse.parse(await ready.json());
    expect(readyBody.status).toBe('not_ready');
    expect(readyBody.checks.database?.ok).toBe(false);

    await proxy.restore();
    // Alertmanager retries what got a 5xx; resending what was already accepted is harmless.
    for (const i of [...pending, ...accepted]) {
      const res = await svc.post('/webhook', alert(i));
      expect(res.status).toBe(200);
    }
    expect((await svc.get('/readyz')).status).toBe(200);

    const direct = openPostgres({
      url: inject('postgresUrl'),
      poolSize: 1,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 5_000,
      logger: pino({ level: 'silent' }),
    });
    const rows = await direct.query<{ seq: string }>(
      "SELECT labels->>'seq' AS seq FROM alert_events WHERE alertname = 'OutageProbe' ORDER BY (labels->>'seq')::int",
    );
    await direct.close();
    expect(rows.map((r) => Number(r.seq))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
