// No webhook request is acknowledged before the commit that holds its rows: the service runs as
// a child process on PostgreSQL under concurrent load (so requests share group statements), is
// killed with -9 at a random point, a few rounds, and every alert whose request got a 200 must
// be stored (acknowledged <= stored).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresOnly } from '../helpers/backends.ts';
import { freePort } from '../helpers/postgres.ts';

const backend = postgresOnly();
const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const CLIENTS = 24;
const ROUNDS = 4;

const children = new Set<ChildProcess>();

/** Starts `alert-history serve` and resolves once it is ready. */
function serve(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === 'alert-history ready') resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready`)));
  });
}

function body(names: readonly string[]): string {
  return JSON.stringify({
    version: '4',
    receiver: 'durability',
    alerts: names.map((alertname) => ({ status: 'firing', labels: { alertname, namespace: 'kill' }, startsAt: '2026-11-24T08:00:00Z' })),
  });
}

interface Round {
  acknowledged: string[];
  /** Requests sent and not yet answered when the kill was sent. */
  inFlightAtKill: number;
}

/**
 * Every client posts bodies of 1-5 new alerts back to back; once `killAfter` requests have been
 * acknowledged, the service gets SIGKILL. Resolves when every client has stopped.
 */
async function loadUntilKilled(child: ChildProcess, url: string, options: { round: number; killAfter: number }): Promise<Round> {
  const acknowledged: string[] = [];
  let acks = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const client = async (c: number): Promise<void> => {
    for (let seq = 0; ; seq++) {
      const names = Array.from({ length: 1 + ((c + seq) % 5) }, (_, k) => `Kill-${options.round}-${c}-${seq}-${k}`);
      inFlight++;
      try {
        const res = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(names) });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`answered ${res.status}`);
        acknowledged.push(...names);
        if (++acks === options.killAfter) {
          inFlightAtKill = inFlight - 1;
          child.kill('SIGKILL');
        }
      } catch {
        // The service is gone (connection refused or reset): this client is done.
        return;
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  await exited;
  return { acknowledged, inFlightAtKill };
}

describe.runIf(backend)('acknowledged only after commit (kill -9 under load) on postgres', () => {
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it(`stores every alert whose request got a 200, over ${ROUNDS} kills at random points`, async () => {
    const db = await backend!.fresh();
    try {
      const port = await freePort();
      const env = { PATH: process.env.PATH ?? '', SERVER_PORT: String(port), SERVER_HOST: '127.0.0.1', DATABASE_URL: backend!.url! };
      for (let round = 0; round < ROUNDS; round++) {
        const child = await serve(env);
        const killAfter = 20 + Math.floor(Math.random() * 300);
        const { acknowledged, inFlightAtKill } = await loadUntilKilled(child, `http://127.0.0.1:${port}`, { round, killAfter });
        // The kill hit a loaded service: other requests were being handled at that moment.
        expect(inFlightAtKill).toBeGreaterThan(0);
        const rows = await db.query<{ alertname: string }>('SELECT alertname FROM alert_events WHERE alertname = ANY($1::text[])', [acknowledged]);
        const stored = new Set(rows.map((r) => r.alertname));
        expect(acknowledged.filter((name) => !stored.has(name))).toEqual([]);
        expect(stored.size).toBe(acknowledged.length);
      }
      // Requests shared statements: fewer transactions (received_at is the transaction's now())
      // than requests (an alert name without its last part names its request).
      const [counts] = await db.query<{ requests: number; transactions: number }>(
        "SELECT count(DISTINCT regexp_replace(alertname, '-[0-9]+$', ''))::int AS requests, count(DISTINCT received_at)::int AS transactions FROM alert_events WHERE alertname LIKE 'Kill-%'",
      );
      expect(counts!.transactions).toBeLessThan(counts!.requests);
    } finally {
      await db.close();
    }
  });
});
