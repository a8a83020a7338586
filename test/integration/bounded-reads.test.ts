// Bounded reads: an API read past database.readTimeoutMs answers a 503 envelope and stops
// running, without starving ingest or probes: on PostgreSQL (its own pool, statement_timeout) and
// on the embedded store as the service runs it (PGlite in a worker thread, reopened after a read
// passes its deadline), where the event loop stays free while the read runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { openPgliteWorker } from '../../src/store/pglite-worker.ts';
import { postgresOnly } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

/** Linear in RE2 and faithful in SQL, but seconds of work for PostgreSQL's engine per 1,000-char value. */
const HEAVY = `/history?label=${encodeURIComponent('longv=~(?:x{1,10}){1,100}y')}`;
const READ_TIMEOUT_MS = 1_000;

async function seed(svc: TestService, count: number): Promise<void> {
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `Long${i}`, longv: 'x'.repeat(1_000) },
    startsAt: '2026-11-30T10:00:00Z',
  }));
  expect((await svc.post('/webhook', { alerts })).status).toBe(200);
}

/** Resolves when the service has received a request for `path`. */
function arrived(svc: TestService, path: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (req: IncomingMessage): void => {
      if (req.url !== path) return;
      svc.server.off('request', listener);
      resolve();
    };
    svc.server.on('request', listener);
  });
}

/** A read stopped at its deadline, or (embedded store) to let waiting writes run. */
async function expectDeadline(res: Response, reason: RegExp = /database\.readTimeoutMs|so that ingest could run/): Promise<void> {
  expect(res.status).toBe(503);
  const body = (await res.json()) as { code: string; error: string };
  expect(body.code).toBe('SERVICE_UNAVAILABLE');
  expect(body.error).toMatch(reason);
}

describe('bounded reads on the embedded store (worker thread)', () => {
  let svc: TestService;
  let restarts = 0;
  beforeAll(async () => {
    const db: Db = await openPgliteWorker({ dataDir: mkdtempSync(join(tmpdir(), 'ah-bounded-')), readTimeoutMs: READ_TIMEOUT_MS, onRestart: () => restarts++ });
    await migrate(db);
    svc = await startTestService(db, { DATABASE_READ_TIMEOUT_MS: String(READ_TIMEOUT_MS) });
    await seed(svc, 500);
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('keeps /healthz answering while a heavy read runs, answers the read 503, then ingests and reads again', async () => {
    const started = arrived(svc, HEAVY);
    let heavyDone = false;
    const heavy = svc.get(HEAVY).then((res) => {
      heavyDone = true;
      return res;
    });
    await started;
    const health = await svc.get('/healthz');
    expect(health.status).toBe(200);
    expect(heavyDone).toBe(false);
    await expectDeadline(await heavy);
    expect(restarts).toBe(1);
    const fresh = { alerts: [{ status: 'firing', labels: { alertname: 'AfterRestart' }, startsAt: '2026-11-30T11:00:00Z' }] };
    expect((await svc.post('/webhook', fresh)).status).toBe(200);
    const after = (await (await svc.get('/history?alertname=Long0')).json()) as { total: number };
    expect(after.total).toBe(1);
    const added = (await (await svc.get('/history?alertname=AfterRestart')).json()) as { total: number };
    expect(added.total).toBe(1);
  });

  it('gives ingest priority over queued reads and expires reads that wait past the deadline', async () => {
    const heavy = Array.from({ length: 3 }, () => svc.get(HEAVY));
    const webhook = seed(svc, 1);
    await webhook;
    for (const res of await Promise.all(heavy)) await expectDeadline(res);
  });
});

describe('embedded reads give way to ingest', () => {
  let svc: TestService;
  beforeAll(async () => {
    // A deadline longer than this test's timeout: only the preemption can end the heavy read.
    const db: Db = await openPgliteWorker({ dataDir: mkdtempSync(join(tmpdir(), 'ah-preempt-')), readTimeoutMs: 600_000 });
    await migrate(db);
    svc = await startTestService(db);
    await seed(svc, 500);
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('stops a read that holds the connection while a webhook waits, and stores the webhook', async () => {
    const started = arrived(svc, HEAVY);
    const heavy = svc.get(HEAVY);
    await started;
    const fresh = { alerts: [{ status: 'firing', labels: { alertname: 'WhileReading' }, startsAt: '2026-11-30T11:00:00Z' }] };
    expect((await svc.post('/webhook', fresh)).status).toBe(200);
    await expectDeadline(await heavy, /stopped after \d+ ms so that ingest could run/);
    const stored = (await (await svc.get('/history?alertname=WhileReading')).json()) as { total: number };
    expect(stored.total).toBe(1);
  });
});

describe.runIf(postgresOnly())('bounded reads on PostgreSQL (own pool, statement timeout)', () => {
  let svc: TestService;
  beforeAll(async () => {
    const url = postgresOnly()!.url!;
    const db = openPostgres({
      url,
      poolSize: 4,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 30_000,
      readPoolSize: 2,
      readTimeoutMs: READ_TIMEOUT_MS,
      logger: pino({ level: 'silent' }),
    });
    await migrate(db);
    await db.query('TRUNCATE alert_events, alerts, settings, classifications, deliveries RESTART IDENTITY');
    svc = await startTestService(db);
    await seed(svc, 500);
  });
  afterAll(async () => {
    await svc.stop();
  });

  it('answers heavy reads 503 while /readyz and ingest keep working', async () => {
    const heavy = Array.from({ length: 6 }, () => svc.get(HEAVY));
    expect((await svc.get('/readyz')).status).toBe(200);
    await seed(svc, 1);
    for (const res of await Promise.all(heavy)) await expectDeadline(res);
    expect((await svc.get('/readyz')).status).toBe(200);
  });
});

describe('SIGTERM during a heavy embedded read', () => {
  it('handles SIGTERM at once and exits 0 while the read would run for over a minute', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ah-sigterm-'));
    const config = join(dataDir, 'config.yaml');
    writeFileSync(config, 'server:\n  shutdownTimeoutMs: 500\n');
    const child = spawn(process.execPath, ['src/cli.ts', 'serve', '--config', config], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', LOG_LEVEL: 'info', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /"url":"(http:[^"]+)"[^\n]*alert-history ready/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    // 5,000 rows: the heavy read alone would run for over a minute, past this test's timeout; the
    // default 5 s read deadline ends it, and the drain of shutdownTimeoutMs lets it go sooner.
    for (let batch = 0; batch < 5; batch++) {
      const alerts = Array.from({ length: 1_000 }, (_, i) => ({
        status: 'firing',
        labels: { alertname: `Long${batch}-${i}`, longv: 'x'.repeat(1_000) },
        startsAt: '2026-11-30T10:00:00Z',
      }));
      expect(
        (await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alerts }) })).status,
      ).toBe(200);
    }
    const heavy = fetch(`${url}${HEAVY}`).then(
      (r) => r.status,
      () => 'closed',
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect([503, 'closed']).toContain(await heavy);
  });
});
