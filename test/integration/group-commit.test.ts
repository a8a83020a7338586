// Group commit on both stores, through POST /webhook: requests that arrive while a record
// statement runs are written by ONE next statement, each answered with its own counts; the same
// state change in two requests of a group (an HA pair) is saved once; a request whose own rows
// fail the statement fails alone. The first statement is held at a gate so the group forms
// deterministically (the service reports the waiting requests in alert_history_ingest_group_waiting).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookResponse } from '../../src/api/contract.ts';
import type { Db } from '../../src/store/db.ts';
import { backends } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const RECORD = 'alert_history_record';

/** The database with every record statement counted, and held while the gate is closed. */
function gated(db: Db) {
  let open: Promise<void> = Promise.resolve();
  let release = (): void => undefined;
  let arrivals: { n: number; resolve: () => void }[] = [];
  const state = { statements: 0 };
  const wrapped: Db = {
    ...db,
    query<T>(text: string, params?: readonly unknown[], name?: string): Promise<T[]> {
      if (name !== RECORD) return db.query<T>(text, params, name);
      state.statements++;
      arrivals = arrivals.filter((a) => (a.n <= state.statements ? (a.resolve(), false) : true));
      return open.then(() => db.query<T>(text, params, name));
    },
  };
  return {
    db: wrapped,
    state,
    close(): void {
      open = new Promise((resolve) => (release = resolve));
    },
    open(): void {
      release();
      open = Promise.resolve();
    },
    /** Resolves once `n` record statements have been sent in all. */
    arrived(n: number): Promise<void> {
      if (state.statements >= n) return Promise.resolve();
      return new Promise((resolve) => arrivals.push({ n, resolve }));
    },
  };
}

function body(receiver: string, alertnames: readonly string[]): object {
  return {
    version: '4',
    receiver,
    groupKey: `{}:{receiver="${receiver}"}`,
    status: 'firing',
    alerts: alertnames.map((alertname) => ({ status: 'firing', labels: { alertname, namespace: 'gc' }, annotations: {}, startsAt: '2026-11-23T10:00:00Z' })),
  };
}

async function waiting(svc: TestService): Promise<number> {
  const text = await (await svc.get('/metrics')).text();
  return Number(/^alert_history_ingest_group_waiting (\d+)/m.exec(text)?.[1] ?? -1);
}

describe.each(backends())('group commit on $name', (backend) => {
  let svc: TestService;
  let gate: ReturnType<typeof gated>;

  beforeAll(async () => {
    gate = gated(await backend.fresh());
    // One group statement at a time, so everything sent while the gate holds one forms the next.
    svc = await startTestService(gate.db, { WEBHOOK_GROUP_COMMIT_MAX_IN_FLIGHT: '1' });
  });
  afterAll(async () => {
    gate?.open();
    await svc?.stop();
  });

  /** Holds a first request's statement, sends `bodies` meanwhile, then lets everything run. */
  async function asOneGroup(prefix: string, bodies: readonly object[]): Promise<{ responses: Response[]; statements: number }> {
    gate.close();
    const before = gate.state.statements;
    const first = svc.post('/webhook', body(`${prefix}-first`, [`${prefix}First`]));
    await gate.arrived(before + 1);
    const sent = bodies.map((b) => svc.post('/webhook', b));
    await expect.poll(() => waiting(svc), { timeout: 20_000 }).toBe(bodies.length);
    expect(gate.state.statements).toBe(before + 1);
    gate.open();
    expect((await first).status).toBe(200);
    const responses = await Promise.all(sent);
    return { responses, statements: gate.state.statements - before - 1 };
  }

  it('writes requests that arrived during a statement with one statement, each answered with its own counts', async () => {
    expect((await svc.post('/webhook', body('seed', ['GcKnown']))).status).toBe(200);
    // Request i: i new alerts and one already stored (its duplicate).
    const bodies = [1, 2, 3, 4, 5].map((i) => body(`rcv-${i}`, [...Array.from({ length: i }, (_, k) => `Gc${i}x${k}`), 'GcKnown']));
    const { responses, statements } = await asOneGroup('merge', bodies);
    expect(statements).toBe(1);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const results = await Promise.all(responses.map(async (r) => WebhookResponse.parse(await r.json())));
    results.forEach((r, idx) => expect(r).toMatchObject({ processed: idx + 2, saved: idx + 1, duplicates: 1 }));
    const rows = await svc.db.query<{ alertname: string; receiver: string; group_key: string; source: string }>(
      "SELECT alertname, receiver, group_key, source FROM alert_events WHERE alertname LIKE 'Gc%x%' ORDER BY alertname",
    );
    expect(rows).toHaveLength(15);
    for (const row of rows) {
      const i = /^Gc(\d)x/.exec(row.alertname)![1];
      expect(row).toMatchObject({ receiver: `rcv-${i}`, group_key: `{}:{receiver="rcv-${i}"}`, source: 'webhook' });
    }
    const metrics = await (await svc.get('/metrics')).text();
    expect(metrics).toMatch(/^alert_history_ingest_group_requests_bucket\{le="4",result="ok"\} (\d+)$/m);
    const le = (bound: string): number =>
      Number(new RegExp(`^alert_history_ingest_group_requests_bucket\\{le="${bound}",result="ok"\\} (\\d+)$`, 'm').exec(metrics)![1]);
    expect(le('8') - le('4')).toBe(1);
  });

  it('saves a state change sent by both requests of an HA pair in one group once, a duplicate for the other', async () => {
    const alerts = ['GcHaOne', 'GcHaTwo', 'GcHaThree'];
    const { responses, statements } = await asOneGroup('ha', [body('ha-a', alerts), body('ha-b', alerts), body('ha-other', ['GcHaOther'])]);
    expect(statements).toBe(1);
    const [a, b, other] = await Promise.all(responses.map(async (r) => WebhookResponse.parse(await r.json())));
    expect([a!.saved, b!.saved].sort()).toEqual([0, 3]);
    expect(a!.duplicates + b!.duplicates).toBe(3);
    expect(other).toMatchObject({ processed: 1, saved: 1, duplicates: 0 });
    const rows = await svc.db.query<{ receiver: string }>("SELECT receiver FROM alert_events WHERE alertname LIKE 'GcHa%' AND alertname <> 'GcHaOther'");
    expect(rows.map((r) => r.receiver)).toEqual(Array(3).fill(a!.saved === 3 ? 'ha-a' : 'ha-b'));
  });

  it('fails only the request whose own rows fail the group statement', async () => {
    await svc.db.query("ALTER TABLE alert_events ADD CONSTRAINT gc_poison CHECK (alertname <> 'GcPoison') NOT VALID");
    try {
      const bodies = [body('ok-1', ['GcOk1']), body('poison', ['GcFine', 'GcPoison']), body('ok-2', ['GcOk2a', 'GcOk2b']), body('ok-3', ['GcOk3'])];
      const { responses, statements } = await asOneGroup('poison', bodies);
      // The group statement, then each request alone.
      expect(statements).toBe(1 + bodies.length);
      expect(responses.map((r) => r.status)).toEqual([200, 500, 200, 200]);
      const ok = await Promise.all([0, 2, 3].map(async (i) => WebhookResponse.parse(await responses[i]!.json())));
      expect(ok.map((r) => r.saved)).toEqual([1, 2, 1]);
      const rows = await svc.db.query<{ alertname: string }>(
        "SELECT alertname FROM alert_events WHERE alertname IN ('GcOk1', 'GcOk2a', 'GcOk2b', 'GcOk3', 'GcFine', 'GcPoison') ORDER BY alertname",
      );
      expect(rows.map((r) => r.alertname)).toEqual(['GcOk1', 'GcOk2a', 'GcOk2b', 'GcOk3']);
      const metrics = await (await svc.get('/metrics')).text();
      expect(metrics).toMatch(/^alert_history_ingest_group_requests_count\{result="failed"\} 1$/m);
    } finally {
      await svc.db.query('ALTER TABLE alert_events DROP CONSTRAINT gc_poison');
    }
  });

  it('writes a request at once when nothing else is running', async () => {
    const before = gate.state.statements;
    const res = await svc.post('/webhook', body('alone', ['GcAlone']));
    expect(WebhookResponse.parse(await res.json())).toMatchObject({ processed: 1, saved: 1 });
    expect(gate.state.statements).toBe(before + 1);
  });
});
