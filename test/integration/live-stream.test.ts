// The live stream under hostile subscribers (issue 10, defect 1): sockets that open the stream and
// never read are dropped once their unsent bytes pass live.maxBufferedBytes while large webhooks
// keep answering 200 and a reading subscriber keeps receiving; a dropped subscriber that
// reconnects gets the resync hint; one stream past live.maxSubscribers gets the 503 envelope; with
// protected reads the stream takes a single-use ticket (defect 14), on any replica, once.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorEnvelope, StreamTicketResponse } from '../../src/api/contract.ts';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { deleteRedisKeys } from '../helpers/redis.ts';
import { openSse, type SseClient } from '../helpers/sse.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const STREAM = '/api/v2/events/stream';
const BUDGET = 256 * 1024;
const TOKEN = 'api-token-live-stream-000000';

/** 500 alerts whose labels carry 5,000-character values (about 2.6 MB), all new state changes. */
function bigWebhook(round: number): object {
  const value = 'v'.repeat(5_000);
  return {
    version: '4',
    status: 'firing',
    alerts: Array.from({ length: 500 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'LiveFlood', namespace: 'flood', instance: `r${round}-host-${i}`, payload: value },
      annotations: {},
      startsAt: new Date(Date.UTC(2026, 10, 22, round, 0, i)).toISOString(),
    })),
  };
}

/** A raw subscriber that sends the request and then never reads (the socket is paused). */
function stalledSubscriber(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${STREAM} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resumes a stalled socket and resolves with what it had been sent once the server closes it. */
function drainUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.resume();
  });
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('live stream with subscribers that never read', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), {
      LIVE_MAX_BUFFERED_BYTES: String(BUDGET),
      WEBHOOK_MAX_BODY_BYTES: String(8 * 1024 * 1024),
      LOG_REQUESTS: 'errors',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('drops them, keeps answering webhooks and feeding a reading subscriber, and resyncs them on reconnect', async () => {
    const stalled = await Promise.all(Array.from({ length: 30 }, () => stalledSubscriber(svc.url)));
    const reader = await openSse(`${svc.url}${STREAM}`);
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const res = await svc.post('/webhook', bigWebhook(round));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { saved: number }).saved).toBe(500);
    }
    // The reader gets every event, the last one included.
    const frames = await reader.waitFor((f) => f.filter((x) => x.event === 'alert_created').length === rounds * 500, 30_000);
    const instances = new Set(
      frames.filter((x) => x.event === 'alert_created').map((x) => (JSON.parse(x.data!) as { labels: { instance: string } }).labels.instance),
    );
    expect(instances.size).toBe(rounds * 500);
    expect(instances.has(`r${rounds - 1}-host-499`)).toBe(true);

    const metrics = await (await svc.get('/metrics')).text();
    expect(metric(metrics, 'alert_history_live_stream_dropped_total{reason="slow"}')).toBe(stalled.length);
    expect(metric(metrics, 'alert_history_live_stream_subscribers')).toBe(1);
    // Each stalled socket was reset by the server; what it had been sent ends before the last events.
    const received = await Promise.all(stalled.map(drainUntilClosed));
    for (const text of received) {
      expect(text.startsWith('HTTP/1.1 200')).toBe(true);
      expect(text).not.toContain(`r${rounds - 1}-host-499`);
    }
    const lastIds = received.map((text) => Number([...text.matchAll(/^id: (\d+)$/gm)].at(-1)?.[1] ?? 0));
    const resumed = await openSse(`${svc.url}${STREAM}`, { 'last-event-id': String(Math.max(...lastIds)) });
    const first = await resumed.waitFor((f) => f.some((x) => x.event !== undefined));
    expect(first.find((x) => x.event !== undefined)).toMatchObject({ event: 'stats_updated', data: '{"resync":true}' });
    resumed.close();
    reader.close();
  });

  it('replays a short gap instead of resyncing', async () => {
    const stream = await openSse(`${svc.url}${STREAM}`);
    await svc.post('/webhook', fixture('am-v4-firing.json'));
    const seen = await stream.waitFor((f) => f.some((x) => x.event === 'alert_created'));
    const id = seen.find((x) => x.event === 'alert_created')!.id!;
    stream.close();
    await svc.post('/webhook', fixture('am-v4-resolved.json'));
    const resumed = await openSse(`${svc.url}${STREAM}`, { 'last-event-id': id });
    const replay = await resumed.waitFor((f) => f.filter((x) => x.event === 'alert_resolved').length === 2);
    expect(replay.some((x) => x.data === '{"resync":true}')).toBe(false);
    resumed.close();
  });
});

describe('live stream subscriber cap', () => {
  it('answers the stream past live.maxSubscribers with the 503 envelope, before any event-stream header', async () => {
    const svc = await startTestService(await backends().at(-1)!.fresh(), { LIVE_MAX_SUBSCRIBERS: '2' });
    const open: SseClient[] = [];
    try {
      open.push(await openSse(`${svc.url}${STREAM}`), await openSse(`${svc.url}${STREAM}`));
      const over = await svc.get(STREAM, { accept: 'text/event-stream' });
      expect(over.status).toBe(503);
      expect(over.headers.get('content-type')).toMatch(/^application\/json/);
      expect(over.headers.get('retry-after')).toBe('10');
      const envelope = ErrorEnvelope.parse(await over.json());
      expect(envelope.code).toBe('SERVICE_UNAVAILABLE');
      expect(envelope.error).toContain('live.maxSubscribers');
      expect(envelope.error).toContain('2 open streams');
      open[0]!.close();
      // A closed stream frees its place (the server sees the close asynchronously).
      await expect
        .poll(
          async () =>
            await fetch(`${svc.url}${STREAM}`).then((r) => {
              void r.body?.cancel();
              return r.status;
            }),
          { timeout: 10_000 },
        )
        .toBe(200);
    } finally {
      await svc.stop();
      open.forEach((s) => s.close());
    }
  });
});

describe('live stream with protected reads', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), { API_TOKENS: TOKEN, API_PROTECT_READS: 'true' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const ticket = async (): Promise<string> => {
    const res = await svc.post('/api/v2/events/ticket', '', { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = StreamTicketResponse.parse(await res.json());
    expect(body.expires_in).toBe(60);
    expect(body.ticket).not.toContain(TOKEN);
    return body.ticket;
  };

  it('refuses the stream without a ticket or token, and a ticket without the token', async () => {
    const none = await svc.get(STREAM);
    expect(none.status).toBe(401);
    expect(ErrorEnvelope.parse(await none.json()).code).toBe('AUTHENTICATION_ERROR');
    expect((await svc.get(`${STREAM}?ticket=not-a-ticket`)).status).toBe(401);
    expect((await svc.post('/api/v2/events/ticket', '')).status).toBe(401);
  });

  it('opens the stream with a ticket once, and with the Bearer header', async () => {
    const t = await ticket();
    const stream = await openSse(`${svc.url}${STREAM}?ticket=${encodeURIComponent(t)}`);
    await svc.post('/webhook', fixture('am-v4-firing.json'));
    await stream.waitFor((f) => f.filter((x) => x.event === 'alert_created').length === 2);
    stream.close();
    const again = await svc.get(`${STREAM}?ticket=${encodeURIComponent(t)}`);
    expect(again.status).toBe(401);
    expect((await again.json()) as { error: string }).toMatchObject({ error: expect.stringContaining('ticket') as unknown });
    const bearer = await openSse(`${svc.url}${STREAM}`, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.headers.get('content-type')).toMatch(/^text\/event-stream/);
    bearer.close();
  });

  it('refuses a tampered ticket', async () => {
    const t = await ticket();
    const [expiry, nonce, signature] = t.split('.') as [string, string, string];
    const forged = `${expiry}.${nonce}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await svc.get(`${STREAM}?ticket=${encodeURIComponent(forged)}`)).status).toBe(401);
  });
});

describe('stream tickets across replicas', () => {
  it.runIf(inject('redisUrl'))('opens a stream on another replica with the same tokens, once (Redis SET NX)', async () => {
    const env = { API_TOKENS: TOKEN, API_PROTECT_READS: 'true', REDIS_URL: inject('redisUrl') };
    const a = await startTestService(await backends().at(-1)!.fresh(), env);
    const b = await startTestService(await backends().at(-1)!.fresh(), env);
    let ticket = '';
    try {
      const res = await a.post('/api/v2/events/ticket', '', { authorization: `Bearer ${TOKEN}` });
      ({ ticket } = StreamTicketResponse.parse(await res.json()));
      const onB = await openSse(`${b.url}${STREAM}?ticket=${encodeURIComponent(ticket)}`);
      expect(onB.headers.get('content-type')).toMatch(/^text\/event-stream/);
      onB.close();
      expect((await a.get(`${STREAM}?ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
    } finally {
      await a.stop();
      await b.stop();
      await deleteRedisKeys(inject('redisUrl'), [`alert-history:stream-ticket:${ticket.split('.')[1] ?? ''}`]);
    }
  });
});
