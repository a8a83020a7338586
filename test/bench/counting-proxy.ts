// A loopback HTTP front for the test kube-apiserver that forwards every request over TLS and
// records what each was (verb and resource, the way apiserver_request_total names them), so the
// operator bench can count the operator's own API requests: the apiserver's metrics would mix in
// the bench's requests and the apiserver's own loopback traffic. Watches stream through.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request the proxy forwarded. */
export interface Seen {
  /** performance.now() when it arrived. */
  at: number;
  /** GET, LIST, WATCH, POST, PUT, PATCH or DELETE. */
  verb: string;
  /** The resource with its subresource, e.g. `publishingtargets/status`, `leases`. */
  resource: string;
}

/** A running counting proxy. */
export interface CountingProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** The resource and whether the path names one object, from /api/v1/... or /apis/<g>/<v>/... */
export function resourceOf(path: string): { resource: string; named: boolean } {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource = '', name, subresource] = rest;
  return { resource: subresource ? `${resource}/${subresource}` : resource, named: name !== undefined };
}

function verbOf(req: IncomingMessage): { verb: string; resource: string } {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const { resource, named } = resourceOf(url.pathname);
  const method = req.method ?? 'GET';
  if (method !== 'GET') return { verb: method, resource };
  if (['true', '1'].includes(url.searchParams.get('watch') ?? '')) return { verb: 'WATCH', resource };
  return { verb: named ? 'GET' : 'LIST', resource };
}

/** Starts the proxy in front of `upstream` (https, trusting `ca`). */
export async function startCountingProxy(upstream: string, ca: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const seen: Seen[] = [];
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    seen.push({ at: performance.now(), ...verbOf(req) });
    const out = httpsRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // A watch's headers come at once and its body maybe minutes later: pass them on now, or
        // the client's header deadline ends a quiet watch the apiserver had answered.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => out.destroy());
    req.pipe(out);
  };
  const server: Server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
