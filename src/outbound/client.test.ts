import type { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type CountingServer, rejectionOf, startCountingServer } from '../../test/helpers/local-http.ts';
import { createOutbound, type Outbound } from './client.ts';
import { OutboundError } from './errors.ts';

/** A server answering `answer <n>` to its n-th request, or never answering. */
function localServer(answer: boolean): Promise<CountingServer> {
  let n = 0;
  return startCountingServer((_req, res) => {
    n++;
    if (answer) res.writeHead(200, { 'content-type': 'text/plain' }).end(`answer ${n}`);
  });
}

const rejection = (promise: Promise<unknown>): Promise<OutboundError> => rejectionOf(promise, OutboundError);

describe('outbound send', () => {
  const cleanup: (() => Promise<void>)[] = [];
  const layer = (): Outbound => {
    const created = createOutbound();
    cleanup.push(() => created.close());
    return created;
  };
  const server = async (answer: boolean): Promise<CountingServer> => {
    const created = await localServer(answer);
    cleanup.push(() => created.close());
    return created;
  };
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('answers with status, headers and the whole body', async () => {
    const local = await server(true);
    const answer = await layer().send({ method: 'GET', url: `${local.url}/x`, timeoutMs: 5_000 });
    expect(answer).toMatchObject({ status: 200, ok: true, text: 'answer 1' });
    expect(answer.headers.get('content-type')).toBe('text/plain');
  });

  it('keeps connections alive per origin across requests', async () => {
    const local = await server(true);
    const out = layer();
    for (let i = 1; i <= 20; i++)
      expect((await out.send({ method: 'POST', url: `${local.url}/hook/${i}`, body: '{}', timeoutMs: 5_000 })).text).toBe(`answer ${i}`);
    expect(local.requests()).toBe(20);
    // undici frees a connection a tick after the body is read, so a request sent at once may open
    // a second one; without keep-alive there would be twenty.
    expect(local.connections()).toBeLessThanOrEqual(2);
    expect(out.dispatcherFor(`${local.url}/other`)).toBe(out.dispatcherFor(local.url));
  });

  it('gives each origin its own agent', () => {
    const out = layer();
    expect(out.dispatcherFor('https://a.example.invalid/x')).toBe(out.dispatcherFor('https://a.example.invalid:443/y'));
    expect(out.dispatcherFor('https://a.example.invalid/x')).not.toBe(out.dispatcherFor('https://b.example.invalid/x'));
    expect(out.dispatcherFor('https://a.example.invalid/x')).not.toBe(out.dispatcherFor('http://a.example.invalid/x'));
  });

  it('opens fresh connections after close, and the old agents are closed', async () => {
    const local = await server(true);
    const out = layer();
    await out.send({ method: 'GET', url: local.url, timeoutMs: 5_000 });
    const before = out.dispatcherFor(local.url) as Agent;
    await out.close();
    expect(before.closed).toBe(true);
    expect(out.dispatcherFor(local.url)).not.toBe(before);
    expect((await out.send({ method: 'GET', url: local.url, timeoutMs: 5_000 })).text).toBe('answer 2');
    expect(local.connections()).toBe(2);
  });

  it('lets a request in flight finish when close() is called', async () => {
    const local = await server(true);
    const out = layer();
    const sending = out.send({ method: 'GET', url: local.url, timeoutMs: 5_000 });
    const closing = out.close();
    expect((await sending).text).toBe('answer 1');
    await closing;
    expect(local.requests()).toBe(1);
  });

  it('times out a server that never answers, naming the masked URL', async () => {
    const local = await server(false);
    const err = await rejection(layer().send({ method: 'POST', url: `${local.url}/services/T0SECRET/B0SECRET?token=abc123456`, body: '{}', timeoutMs: 50 }));
    expect(err).toMatchObject({ kind: 'timeout', timeoutMs: 50, code: undefined });
    expect(err.message).toBe(`POST ${local.url}/***: no answer within 50 ms`);
    expect(local.requests()).toBe(1);
  });

  it('reports a refused connection as network with its code', async () => {
    const local = await localServer(true);
    await local.close();
    const err = await rejection(layer().send({ method: 'GET', url: `${local.url}/secret-path`, timeoutMs: 5_000 }));
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    expect(err.message).toBe(`GET ${local.url}/***: network error (ECONNREFUSED)`);
  });

  it("refuses a redirect when asked to, as a network failure, and uses the caller's name for the request", async () => {
    const redirecting = await startCountingServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end());
    cleanup.push(() => redirecting.close());
    const err = await rejection(layer().send({ method: 'POST', url: `${redirecting.url}/`, timeoutMs: 5_000, redirect: 'error', where: 'the hook' }));
    expect(err).toMatchObject({ kind: 'network', message: 'the hook: network error' });
  });

  it('never quotes credentials of the URL', async () => {
    const err = await rejection(layer().send({ method: 'GET', url: 'http://user:hunter2pass@127.0.0.1:1/', timeoutMs: 5_000 }));
    expect(err.kind).toBe('network');
    expect(`${err.message} ${String(err.stack)}`).not.toContain('hunter2pass');
  });
});
