// One test per input defect of the hardening issue (#10: defects 5, 6, 7, 9, 10, 11, 12, 15), on
// both stores where storage is involved: each hostile request gets a clean 4xx envelope naming
// the field, nothing of a rejected request is stored, and the service keeps answering.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

async function rowCount(svc: TestService): Promise<number> {
  const [row] = await svc.db.query<{ n: number }>('SELECT (SELECT count(*) FROM alert_events) + (SELECT count(*) FROM alerts) AS n');
  return Number(row!.n);
}

const alert = (labels: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  status: 'firing',
  labels,
  startsAt: '2026-11-20T09:14:27Z',
  ...extra,
});

/** Posts a body and expects a 4xx envelope that names `path`; nothing may be stored. */
async function expectRejected(svc: TestService, body: string | Buffer | object, path: string, status = 400): Promise<string> {
  const before = await rowCount(svc);
  const res = await svc.post('/webhook', body);
  expect(res.status).toBe(status);
  const envelope = ErrorEnvelope.parse(await res.json());
  expect(envelope.details.fields?.map((f) => f.path)).toContain(path);
  expect(await rowCount(svc)).toBe(before);
  return envelope.error;
}

async function expectQueryRejected(svc: TestService, url: string, path: string): Promise<void> {
  const res = await svc.get(url);
  expect(res.status).toBe(400);
  const envelope = ErrorEnvelope.parse(await res.json());
  expect(envelope.code).toBe('VALIDATION_ERROR');
  expect(envelope.details.fields?.map((f) => f.path)).toContain(path);
}

function manyLabels(n: number, value: unknown): Record<string, unknown> {
  const labels: Record<string, unknown> = { alertname: 'Many' };
  for (let i = 1; i < n; i++) labels[`label_${i}`] = value;
  return labels;
}

describe.each(backends())('hostile input on $name', (backend) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backend.fresh());
  });
  afterAll(async () => {
    await svc?.stop();
  });

  describe('defect 5: NUL characters and lone surrogates', () => {
    const good = alert({ alertname: 'GoodInBadBatch' });
    it.each<[string, Record<string, unknown>, string]>([
      ['a label value', { alerts: [good, alert({ alertname: 'Bad\u0000' })] }, 'alerts[1].labels.alertname'],
      ['a label name', { alerts: [good, alert({ alertname: 'B', 'na\u0000me': 'v' })] }, 'alerts[1].labels["na\\u0000me"]'],
      ['an annotation', { alerts: [good, alert({ alertname: 'B' }, { annotations: { summary: 'x\ud800' } })] }, 'alerts[1].annotations.summary'],
      ['generatorURL', { alerts: [good, alert({ alertname: 'B' }, { generatorURL: 'http://x/\u0000' })] }, 'alerts[1].generatorURL'],
      ['receiver', { receiver: 'team\udc00', alerts: [good] }, 'receiver'],
      ['groupKey', { groupKey: '{}:{a="\u0000"}', alerts: [good] }, 'groupKey'],
    ])('in %s: 400 naming the field, the valid alert of the batch not stored', async (_what, body, path) => {
      const message = await expectRejected(svc, body, path);
      expect(message).not.toContain('\u0000');
      const res = await svc.get('/history?alertname=GoodInBadBatch');
      expect(((await res.json()) as { total: number }).total).toBe(0);
    });

    it('in query parameters: 400 naming the parameter', async () => {
      await expectQueryRejected(svc, '/history?alertname=%00', 'alertname');
      await expectQueryRejected(svc, '/history?namespace=ok&severity=a%00b', 'severity');
      await expectQueryRejected(svc, '/history?alertname=%ED%A0%80', 'alertname');
      await expectQueryRejected(svc, '/history/top?namespace=%ff', 'namespace');
      await expectQueryRejected(svc, '/publishing/deliveries?target=%00', 'target');
    });

    it('in path parameters: 400 naming the parameter', async () => {
      await expectQueryRejected(svc, '/history/%00', 'fingerprint');
      await expectQueryRejected(svc, '/classification/abc%00', 'fingerprint');
    });
  });

  describe('defect 6: labels per alert', () => {
    it('300k labels in a 4 MB body: 400 naming alerts[0].labels, and the service answers after', async () => {
      const body = JSON.stringify({ alerts: [alert(manyLabels(300_000, 'v'))] });
      expect(body.length).toBeGreaterThan(4_000_000);
      const message = await expectRejected(svc, body, 'alerts[0].labels');
      expect(message).toBe('alerts[0].labels: more than 256 labels');
      expect((await svc.get('/healthz')).status).toBe(200);
    });

    it('300k non-string labels: 400, not a 500 from a stack overflow', async () => {
      await expectRejected(svc, { alerts: [alert(manyLabels(300_000, 0))] }, 'alerts[0].labels');
    });

    it('annotations per alert are limited too', async () => {
      const annotations = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`a${i}`, 'x']));
      await expectRejected(svc, { alerts: [alert({ alertname: 'A' }, { annotations })] }, 'alerts[0].annotations');
    });
  });

  describe('defect 7: label name length', () => {
    it('a 5 MB label name: 400 naming the label (shortened), nothing stored', async () => {
      const name = 'n'.repeat(5 * 1024 * 1024);
      const message = await expectRejected(svc, { alerts: [alert({ alertname: 'A', [name]: 'v' })] }, `alerts[0].labels["${'n'.repeat(64)}…"]`);
      expect(message).toContain('label name longer than 1024 bytes');
      expect(message.length).toBeLessThan(300);
    });

    it('labels over 256 KiB in total per alert: 400 naming the map', async () => {
      const labels = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`l${i}`, 'v'.repeat(60 * 1024)]));
      await expectRejected(svc, { alerts: [alert({ alertname: 'A', ...labels })] }, 'alerts[0].labels');
    });
  });

  describe('defect 9: Content-Encoding', () => {
    it('gzip claimed on a plain body: 400 envelope, nothing stored; a real gzip body is stored', async () => {
      const body = JSON.stringify({ alerts: [alert({ alertname: 'GzipProbe' })] });
      const before = await rowCount(svc);
      const lie = await svc.post('/webhook', body, { 'content-encoding': 'gzip' });
      expect(lie.status).toBe(400);
      const envelope = ErrorEnvelope.parse(await lie.json());
      expect(envelope.error).toContain('Content-Encoding');
      expect(await rowCount(svc)).toBe(before);
      const real = await svc.post('/webhook', gzipSync(body), { 'content-encoding': 'gzip' });
      expect(real.status).toBe(200);
      expect(await rowCount(svc)).toBeGreaterThan(before);
    });
  });

  describe('defect 10: timestamps and time parameters', () => {
    it.each([
      ['startsAt', '0001-01-01T00:30:00+01:00'],
      ['startsAt', '9999-12-31T23:30:00-01:00'],
      ['endsAt', '9999-12-31T23:59:59.999999-00:01'],
    ])('%s %s is outside years 0001..9999 UTC: 400 naming it', async (field, value) => {
      await expectRejected(svc, { alerts: [alert({ alertname: 'Edge' }, { [field]: value })] }, `alerts[0].${field}`);
    });

    it('the UTC edges themselves are stored', async () => {
      const res = await svc.post('/webhook', {
        alerts: [
          alert({ alertname: 'EdgeLow' }, { startsAt: '0001-01-01T01:00:00+01:00' }),
          alert({ alertname: 'EdgeHigh' }, { startsAt: '9999-12-31T23:59:59.999999Z' }),
        ],
      });
      expect(res.status).toBe(200);
      const [row] = await svc.db.query<{ n: number }>("SELECT count(*) AS n FROM alert_events WHERE alertname IN ('EdgeLow', 'EdgeHigh')");
      expect(Number(row!.n)).toBe(2);
    });

    it('since and until that overflow: 400 naming the parameter', async () => {
      await expectQueryRejected(svc, '/history?since=99999999d', 'since');
      await expectQueryRejected(svc, '/history?until=99999999d', 'until');
      await expectQueryRejected(svc, '/history/stats?since=0001-01-01T00:30:00%2B01:00', 'since');
      await expectQueryRejected(svc, '/report?until=9999-12-31T23:30:00-01:00', 'until');
    });
  });

  describe('defect 12: offset and total', () => {
    it('an offset past the cap is a 400; past the rows, total is the real count', async () => {
      const alerts = ['a', 'b', 'c'].map((i) => alert({ alertname: 'OffsetProbe', instance: i }));
      expect((await svc.post('/webhook', { alerts })).status).toBe(200);
      await expectQueryRejected(svc, '/history?offset=1000000000000000', 'offset');
      await expectQueryRejected(svc, '/history?page=1000000000', 'page');
      const far = (await (await svc.get('/history?alertname=OffsetProbe&offset=1000000')).json()) as Record<string, unknown>;
      expect(far).toMatchObject({ alerts: [], total: 3, offset: 1_000_000, has_more: false, total_exact: true });
      const near = (await (await svc.get('/history?alertname=OffsetProbe&offset=1&limit=1')).json()) as { alerts: unknown[]; total: number; has_more: boolean };
      expect(near).toMatchObject({ total: 3, has_more: true });
      expect(near.alerts).toHaveLength(1);
    });
  });
});

describe('defect 11: undecodable path parameters', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh());
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it.each([
    ['GET', '/history/%ff', 'fingerprint'],
    ['GET', '/classification/%ff', 'fingerprint'],
    ['GET', '/history/%E0%A4%A', 'fingerprint'],
    ['POST', '/classification/refresh/%ED%A0%80', 'fingerprint'],
    ['POST', '/publishing/deliveries/%ff/retry', 'id'],
    ['POST', '/publishing/test/%c3%28', 'target'],
  ])('%s %s: 400 naming %s', async (method, path, name) => {
    const res = await fetch(`${svc.url}${path}`, { method });
    expect(res.status).toBe(400);
    const envelope = ErrorEnvelope.parse(await res.json());
    expect(envelope.details.fields).toEqual([{ path: name, message: 'is not valid percent-encoded UTF-8' }]);
  });

  it('a path no route takes is a 4xx envelope too', async () => {
    const res = await svc.get('/publishing/targets/%E0%A4%A');
    expect([400, 404]).toContain(res.status);
    ErrorEnvelope.parse(await res.json());
  });
});

/** Writes `request` on a raw socket (then `drip` every 200 ms until an answer) and resolves with all it reads until the server closes. */
function rawExchange(port: number, request: string, drip?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(request);
      if (drip) timer = setInterval(() => socket.write(drip), 200);
    });
    socket.on('data', (chunk: Buffer) => {
      clearInterval(timer);
      chunks.push(chunk);
    });
    // A write racing the server's close may reset the connection after the answer arrived.
    socket.on('error', (err) => (chunks.length > 0 ? socket.destroy() : reject(err)));
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

describe('defect 15: declared sizes and timeouts', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), {
      WEBHOOK_MAX_BODY_BYTES: '1024',
      SERVER_HEADERS_TIMEOUT_MS: '300',
      SERVER_REQUEST_TIMEOUT_MS: '600',
      SERVER_TIMEOUT_CHECK_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('a declared Content-Length over the limit: 413 envelope and the connection closed, without a byte of body sent', async () => {
    const answer = await rawExchange(svc.port, 'POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(ErrorEnvelope.parse(JSON.parse(body)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  // A broken sweep wiring (Node's default 30 s) would outlast this test's 10 s timeout.
  it('headers that never finish: 408 and closed', { timeout: 10_000 }, async () => {
    const answer = await rawExchange(svc.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\n', 'X-Slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a body that never finishes: 408 and closed, nothing stored', { timeout: 10_000 }, async () => {
    const before = await rowCount(svc);
    const answer = await rawExchange(svc.port, 'POST /webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await rowCount(svc)).toBe(before);
  });
});
