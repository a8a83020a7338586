import { KubeConfig } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejectionOf, startCountingServer } from '../../../test/helpers/local-http.ts';
import { createKubeRest, KubeError, sharedDispatcher } from './rest.ts';

function fakeAgent(): Dispatcher & { closed: boolean } {
  const agent = { closed: false, close: () => ((agent.closed = true), Promise.resolve()) };
  return agent as unknown as Dispatcher & { closed: boolean };
}

describe('sharedDispatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the first agent for every request and closes the fresh ones unused', () => {
    const pick = sharedDispatcher();
    const first = fakeAgent();
    const later = [fakeAgent(), fakeAgent()];
    expect(pick(first)).toBe(first);
    for (const fresh of later) expect(pick(fresh)).toBe(first);
    expect(later.every((a) => a.closed)).toBe(true);
    expect(first.closed).toBe(false);
  });

  it('swaps to a fresh agent after ten minutes (rotated client certificates) and closes the old one', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const pick = sharedDispatcher();
    const first = fakeAgent();
    pick(first);
    vi.advanceTimersByTime(10 * 60_000 + 1);
    const next = fakeAgent();
    expect(pick(next)).toBe(next);
    expect(first.closed).toBe(true);
  });

  it('closes the kept agent at close, and a later request gets the fresh one', async () => {
    const pick = sharedDispatcher();
    const first = fakeAgent();
    pick(first);
    await pick.close();
    expect(first.closed).toBe(true);
    const next = fakeAgent();
    expect(pick(next)).toBe(next);
    expect(next.closed).toBe(false);
  });

  it('has nothing to share when the cluster needs no TLS agent', () => {
    expect(sharedDispatcher()(undefined)).toBeUndefined();
  });
});

/** A kubeconfig for a plain-HTTP API server (client-node allows http only with skipTLSVerify). */
function kubeconfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'tok-0123456789' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'ops' }],
    currentContext: 'x',
  });
  return kc;
}

const rejection = (promise: Promise<unknown>): Promise<KubeError> => rejectionOf(promise, KubeError);

describe('createKubeRest', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('sends authenticated JSON and keeps the connection alive', async () => {
    const seen: string[] = [];
    const server = await startCountingServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"Namespace"}');
    });
    close = () => server.close();
    const rest = createKubeRest(kubeconfig(server.url));
    expect(rest.defaultNamespace).toBe('ops');
    for (let i = 0; i < 10; i++) expect(await rest.request('GET', '/api/v1/namespaces/ops', { query: { limit: 1 } })).toEqual({ kind: 'Namespace' });
    expect(seen[0]).toBe('GET /api/v1/namespaces/ops?limit=1 Bearer tok-0123456789');
    expect(seen).toHaveLength(10);
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it("turns a Status answer into a KubeError with the server's code and reason", async () => {
    const server = await startCountingServer((_req, res) => {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'secrets "s" not found' }));
    });
    close = () => server.close();
    const err = await rejection(createKubeRest(kubeconfig(server.url)).request('GET', '/api/v1/namespaces/ops/secrets/s'));
    expect(err).toMatchObject({ statusCode: 404, reason: 'NotFound', message: 'GET /api/v1/namespaces/ops/secrets/s: 404 secrets "s" not found' });
  });

  it('reports an API server that never answers as a timeout, naming the path and the server', async () => {
    const server = await startCountingServer(() => undefined);
    close = () => server.close();
    const err = await rejection(createKubeRest(kubeconfig(server.url)).request('GET', '/api/v1/secrets', { timeoutMs: 50 }));
    expect(err).toMatchObject({ statusCode: 0, reason: 'timeout', message: `GET /api/v1/secrets on ${server.url}: no answer within 50 ms` });
  });

  it('reports a refused connection as a network failure with its code', async () => {
    const server = await startCountingServer(() => undefined);
    await server.close();
    const err = await rejection(createKubeRest(kubeconfig(server.url)).request('DELETE', '/api/v1/namespaces/ops/pods/p'));
    expect(err).toMatchObject({
      statusCode: 0,
      reason: 'network',
      message: `DELETE /api/v1/namespaces/ops/pods/p on ${server.url}: network error (ECONNREFUSED)`,
    });
    expect(err.message).not.toContain('tok-0123456789');
  });
});
