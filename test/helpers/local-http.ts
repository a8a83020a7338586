// A local node:http server that counts the TCP connections and requests it sees (keep-alive
// checks without timing), and a helper for the error a promise rejects with.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

/** A started server. */
export interface CountingServer {
  url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests seen so far, answered or not. */
  requests(): number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1; `handle` may leave a request unanswered. */
export async function startCountingServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<CountingServer> {
  let connections = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    handle(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The error `promise` rejects with, checked to be a `type`. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
