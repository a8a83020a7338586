// The outbox's promises on real PostgreSQL: two instances on one database never both send a
// row, and a service killed with -9 while deliveries are in flight delivers every one of them
// after a restart (the in-flight ones at most once more, under the same dedup key).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg.ts';
import type { Db } from '../../src/store/db.ts';
import { postgresOnly } from '../helpers/backends.ts';
import { type FakeVendors, startFakeVendors, type VendorRequest } from '../helpers/fake-vendors.ts';
import { freePort } from '../helpers/postgres.ts';
import { CREDENTIALS, FAST_WORKER, bodyOf, of } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const backend = postgresOnly();
const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;

function targetsYaml(url: string): string {
  return `
publishing:
${FAST_WORKER}
  targets:
    - { name: hook, type: webhook, url: "${url}/hook", delivery: { ratePerMinute: 100000 } }
    - { name: oncall, type: pagerduty, url: "${url}", credentials: ${CREDENTIALS.pagerduty}, delivery: { ratePerMinute: 100000 } }
`;
}

function alerts(prefix: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `${prefix}${i}`, namespace: 'prod', severity: 'critical' },
    annotations: { summary: `${prefix} ${i}` },
    startsAt: '2026-11-22T09:00:00Z',
  }));
}

/** Fingerprints of the alerts in webhook bodies, one entry per request. */
function hookFingerprints(requests: readonly VendorRequest[]): string[] {
  return of(requests, 'webhook').map((r) => (bodyOf(r).alerts as { fingerprint: string }[])[0]!.fingerprint);
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

const children = new Set<ChildProcess>();

describe.runIf(backend)('outbox durability on postgres', () => {
  let fake: FakeVendors;
  beforeAll(async () => {
    fake = await startFakeVendors();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await fake?.close();
  });

  it('two instances on one database never both send a row', async () => {
    const first = await backend!.fresh();
    const second: Db = openPostgres({
      url: backend!.url!,
      poolSize: 5,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 30_000,
      logger: pino({ level: 'silent' }),
    });
    const a: TestService = await startTestService(first, { PROXY_RESPONSE_WAIT_MS: '0' }, { configYaml: targetsYaml(fake.url) });
    const b: TestService = await startTestService(second, { PROXY_RESPONSE_WAIT_MS: '0' }, { configYaml: targetsYaml(fake.url) });
    try {
      const start = fake.requests.length;
      const shared = alerts('Shared', 10);
      // An Alertmanager HA pair sends the same alerts to both; each also gets its own.
      await Promise.all([
        a.post('/webhook/proxy', shared),
        b.post('/webhook/proxy', shared),
        a.post('/webhook/proxy', alerts('OnlyA', 10)),
        b.post('/webhook/proxy', alerts('OnlyB', 10)),
      ]);
      const seen = (await fake.waitFor((r) => of(r.slice(start), 'webhook').length >= 30 && of(r.slice(start), 'pagerduty').length >= 30)).slice(start);
      const succeeded = async (): Promise<number> =>
        (await first.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state = 'succeeded'"))[0]!.n;
      await expect.poll(succeeded, { timeout: 15_000 }).toBe(60);
      expect(duplicates(hookFingerprints(seen))).toEqual([]);
      expect(duplicates(of(seen, 'pagerduty').map((r) => String(bodyOf(r).dedup_key)))).toEqual([]);
      expect(new Set(hookFingerprints(seen)).size).toBe(30);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('delivers everything after kill -9 with deliveries in flight', async () => {
    const db = await backend!.fresh();
    const dir = mkdtempSync(join(tmpdir(), 'ah-kill-'));
    writeFileSync(join(dir, 'config.yaml'), targetsYaml(fake.url));
    const start = fake.requests.length;
    fake.script('webhook', ...Array.from({ length: 5 }, () => ({ hold: true as const })));
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      SERVER_PORT: String(port),
      SERVER_HOST: '127.0.0.1',
      DATABASE_URL: backend!.url!,
      CONFIG_FILE: join(dir, 'config.yaml'),
      PROXY_RESPONSE_WAIT_MS: '0',
    };
    const doomed = await serve(env);
    const res = await fetch(`http://127.0.0.1:${port}/webhook/proxy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts('Kill', 5)),
    });
    expect(res.status).toBe(200);
    await fake.waitFor((r) => of(r.slice(start), 'webhook').length >= 5);
    const succeeded = async (): Promise<number> => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state = 'succeeded'"))[0]!.n;
    await expect.poll(succeeded, { timeout: 15_000 }).toBe(5);
    const killed = new Promise((resolve) => doomed.once('exit', resolve));
    doomed.kill('SIGKILL');
    await killed;
    fake.release();
    const [inFlight] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state = 'sending'");
    expect(inFlight!.n).toBe(5);

    const revived = await serve(env);
    try {
      const seen = (await fake.waitFor((r) => of(r.slice(start), 'webhook').length >= 10)).slice(start);
      const fingerprints = hookFingerprints(seen);
      expect(new Set(fingerprints).size).toBe(5);
      // Only the five that were in flight were sent again, each once, under the same key.
      expect(duplicates(fingerprints).sort()).toEqual([...new Set(fingerprints)].sort());
      expect(of(seen, 'pagerduty')).toHaveLength(5);
      await expect.poll(succeeded, { timeout: 15_000 }).toBe(10);
    } finally {
      revived.kill('SIGTERM');
      await new Promise((resolve) => revived.once('exit', resolve));
      await db.close();
    }
  });
});

/** Starts `alert-history serve` as a child process and resolves once it is ready. */
function serve(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === 'alert-history ready') resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready`)));
  });
}
