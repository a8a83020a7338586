import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeError } from './kube-error.ts';
import { openWatchStream } from './watch-stream.ts';

interface Held {
  req: IncomingMessage;
  res: ServerResponse;
}

/** A server that hands each request to the test, which answers by hand. */
async function handServer(): Promise<{ url: string; next: () => Promise<Held>; close: () => Promise<void> }> {
  const waiting: ((held: Held) => void)[] = [];
  const arrived: Held[] = [];
  const server: Server = createServer((req, res) => {
    const held = { req, res };
    const waiter = waiting.shift();
    if (waiter) waiter(held);
    else arrived.push(held);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    next: () => {
      const held = arrived.shift();
      return held ? Promise.resolve(held) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function collector() {
  const events: [string, unknown][] = [];
  let resolveDone!: (err: unknown) => void;
  const done = new Promise<unknown>((resolve) => (resolveDone = resolve));
  let calls = 0;
  return {
    events,
    done,
    calls: () => calls,
    onEvent: (type: string, obj: unknown) => events.push([type, obj]),
    onDone: (err?: unknown) => {
      calls++;
      resolveDone(err);
    },
  };
}

describe('openWatchStream', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('delivers newline-delimited events and reports a server-side end without an error', async () => {
    const server = await handServer();
    close = server.close;
    const c = collector();
    const opening = openWatchStream({
      url: new URL(`${server.url}/api/v1/secrets?watch=true`),
      headers: { authorization: 'Bearer t' },
      headersTimeoutMs: 5_000,
      onEvent: c.onEvent,
      onDone: c.onDone,
    });
    const { req, res } = await server.next();
    expect(req.headers.authorization).toBe('Bearer t');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n{"type":"BOOK');
    await opening;
    res.end('MARK","object":{"metadata":{"resourceVersion":"9"}}}\n\n');
    expect(await c.done).toBeUndefined();
    expect(c.events).toEqual([
      ['ADDED', { metadata: { name: 'a', resourceVersion: '5' } }],
      ['BOOKMARK', { metadata: { resourceVersion: '9' } }],
    ]);
    expect(c.calls()).toBe(1);
  });

  it('turns a non-200 answer into an error with the Status code and reason', async () => {
    const server = await handServer();
    close = server.close;
    const c = collector();
    const opening = openWatchStream({
      url: new URL(`${server.url}/api/v1/secrets`),
      headers: {},
      headersTimeoutMs: 5_000,
      onEvent: c.onEvent,
      onDone: c.onDone,
    });
    const { res } = await server.next();
    res
      .writeHead(410, { 'content-type': 'application/json' })
      .end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' }));
    await opening;
    const err = await c.done;
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ statusCode: 410, reason: 'Expired', message: 'WATCH /api/v1/secrets: 410 too old resource version: 1 (5)' });
  });

  it('ends the stream when aborted and reports the abort once', async () => {
    const server = await handServer();
    close = server.close;
    const c = collector();
    const opening = openWatchStream({ url: new URL(`${server.url}/w`), headers: {}, headersTimeoutMs: 5_000, onEvent: c.onEvent, onDone: c.onDone });
    const { req, res } = await server.next();
    res.writeHead(200).write('{"type":"ADDED","object":{}}\n');
    const abort = await opening;
    const closed = new Promise((resolve) => req.socket.once('close', resolve));
    abort();
    abort();
    expect(await c.done).toBeInstanceOf(Error);
    await closed;
    expect(c.calls()).toBe(1);
    expect(c.events).toEqual([['ADDED', {}]]);
  });

  it('reports a connection failure as a KubeError without status, naming the server', async () => {
    const server = await handServer();
    const url = new URL(`${server.url}/w`);
    await server.close();
    const c = collector();
    await openWatchStream({ url, headers: {}, headersTimeoutMs: 5_000, onEvent: c.onEvent, onDone: c.onDone });
    const err = await c.done;
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ statusCode: 0, reason: 'network', message: `WATCH /w on ${server.url}: network error (ECONNREFUSED)` });
  });

  it('reports a stream whose answer never starts as a timeout', async () => {
    const server = await handServer();
    close = server.close;
    const c = collector();
    const opening = openWatchStream({
      url: new URL(`${server.url}/w`),
      headers: {},
      headersTimeoutMs: 50,
      where: 'WATCH /w on the test server',
      onEvent: c.onEvent,
      onDone: c.onDone,
    });
    await server.next();
    await opening;
    expect(await c.done).toMatchObject({ statusCode: 0, reason: 'timeout', message: 'WATCH /w on the test server: no answer within 50 ms' });
    expect(c.calls()).toBe(1);
  });

  it('reports a connection cut mid-stream as a network failure', async () => {
    const server = await handServer();
    close = server.close;
    const c = collector();
    const opening = openWatchStream({ url: new URL(`${server.url}/w`), headers: {}, headersTimeoutMs: 5_000, onEvent: c.onEvent, onDone: c.onDone });
    const { res } = await server.next();
    res.writeHead(200).write('{"type":"ADDED","object":{}}\n');
    await opening;
    res.socket?.destroy();
    expect(await c.done).toMatchObject({ statusCode: 0, reason: 'network' });
    expect(c.events).toEqual([['ADDED', {}]]);
  });
});
