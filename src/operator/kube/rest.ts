// The one Kubernetes client of the operator: client-node loads the kubeconfig (in-cluster or a
// file) and authenticates each request; requests are plain JSON through the outbound layer
// (outbound/client.ts: deadline, keep-alive agent, timeout/network failures) with that auth, so
// Lease MicroTimes keep their six fractional digits (the generated models would serialise a
// JS Date with three, which the API server rejects) and custom resources need no generated types.
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import { maskUrl } from '../../core/secret.ts';
import { type Answer, outbound, type SendOptions } from '../../outbound/client.ts';
import { OutboundError } from '../../outbound/errors.ts';
import type { WatchEventType } from './list-watch.ts';
import { KubeError, kubeErrorFrom, kubeErrorFromOutbound } from './kube-error.ts';
import { openWatchStream } from './watch-stream.ts';

export { KubeError };

/** Options of one request. */
export interface KubeRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Default application/json; status patches use merge-patch. */
  contentType?: string;
  /** Extra headers (e.g. an Accept asking for the Table representation). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One watch: its query (resourceVersion, timeoutSeconds, bookmarks...), extra headers and callbacks. */
export interface WatchRequest {
  query: Record<string, string | number | boolean | undefined>;
  /** Extra headers (e.g. an Accept asking for PartialObjectMetadata). */
  headers?: Record<string, string>;
  onEvent: (type: WatchEventType, obj: unknown) => void;
  /** Called once when the stream ends: no argument when the server ended it. */
  onDone: (err?: unknown) => void;
}

/** Options of {@link createKubeRest}. */
export interface KubeRestOptions {
  /** Deadline of an ordinary request, and of a watch's response headers; default 30 s. Watch bodies have none. */
  requestTimeoutMs?: number;
}

/** JSON requests and watches against the API server. */
export interface KubeRest {
  readonly server: string;
  /** The kubeconfig context's namespace (or the pod's, in-cluster). */
  readonly defaultNamespace: string;
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options?: KubeRequest): Promise<T>;
  /**
   * Server-side apply of `body` (application/apply-patch+yaml; JSON is YAML) as `fieldManager`,
   * forcing conflicts: fields this manager applied before and leaves out now are removed.
   */
  apply<T>(path: string, body: unknown, fieldManager: string): Promise<T>;
  /** Starts a watch (no client-side deadline on the stream); resolves with a function that aborts it. */
  watch(path: string, request: WatchRequest): Promise<() => void>;
}

/** The client as its owner holds it: {@link KubeRest} plus closing its connections at stop. */
export interface OwnedKubeRest extends KubeRest {
  /** Closes the kept keep-alive agent once its requests finish (call after every watch is stopped). */
  close(): Promise<void>;
}

const METHODS = { GET: HttpMethod.GET, POST: HttpMethod.POST, PUT: HttpMethod.PUT, PATCH: HttpMethod.PATCH, DELETE: HttpMethod.DELETE } as const;

/** Loads the kubeconfig: the file when given, else the in-cluster service account. */
export function loadKubeConfig(options: { kubeconfig?: string | undefined; inCluster: boolean }): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else if (options.inCluster) kc.loadFromCluster();
  else throw new Error('no kubeconfig: set KUBECONFIG, or run in a pod');
  return kc;
}

function urlOf(server: string, path: string, query: KubeRequest['query']): URL {
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}

/** Sends through the outbound layer; no answer becomes a KubeError with status 0. */
async function send(options: SendOptions): Promise<Answer> {
  try {
    return await outbound.send(options);
  } catch (err) {
    throw err instanceof OutboundError ? kubeErrorFromOutbound(err) : err;
  }
}

/** Picks the agent for a request (see {@link sharedDispatcher}); `close` closes the kept one. */
export type SharedDispatcher = ((fresh: Dispatcher | undefined) => Dispatcher | undefined) & { close(): Promise<void> };

/** How long one keep-alive agent serves before a fresh one picks up rotated client certificates. */
const AGENT_TTL_MS = 10 * 60_000;

/**
 * One keep-alive connection pool for the API server. client-node builds a new undici Agent on
 * every authentication (a TLS handshake per request, agents never closed); the first is kept for
 * AGENT_TTL_MS and the others closed unused. Headers (tokens) are still taken per request. When
 * client-node builds none (no TLS settings), the outbound layer's agent for the server is used.
 */
export function sharedDispatcher(): SharedDispatcher {
  let kept: { dispatcher: Dispatcher; since: number } | undefined;
  const pick = (fresh: Dispatcher | undefined): Dispatcher | undefined => {
    if (!fresh) return undefined;
    if (kept && performance.now() - kept.since < AGENT_TTL_MS) {
      void fresh.close();
      return kept.dispatcher;
    }
    // The old agent finishes its requests (watches end within their timeoutSeconds), then closes.
    if (kept) void kept.dispatcher.close();
    kept = { dispatcher: fresh, since: performance.now() };
    return fresh;
  };
  return Object.assign(pick, {
    async close(): Promise<void> {
      const last = kept;
      kept = undefined;
      await last?.dispatcher.close();
    },
  });
}

/** Creates the client for a loaded kubeconfig. */
export function createKubeRest(kc: KubeConfig, settings: KubeRestOptions = {}): OwnedKubeRest {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const context = kc.getContextObject(kc.getCurrentContext());
  const requestTimeoutMs = settings.requestTimeoutMs ?? 30_000;
  const dispatcherOf = sharedDispatcher();
  // Messages name the path (resource names, not secrets) and the server by its masked URL.
  const where = (verb: string, path: string): string => `${verb} ${path} on ${maskUrl(cluster.server)}`;
  return {
    server: cluster.server,
    defaultNamespace: context?.namespace ?? 'default',
    async request<T>(method: keyof typeof METHODS, path: string, options: KubeRequest = {}): Promise<T> {
      const url = urlOf(cluster.server, path, options.query);
      const ctx = new RequestContext(url.toString(), METHODS[method]);
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json', ...options.headers };
      if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const answer = await send({
        method,
        url,
        headers,
        dispatcher: dispatcherOf(ctx.getDispatcher()),
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        timeoutMs: options.timeoutMs ?? requestTimeoutMs,
        where: where(method, path),
      });
      if (!answer.ok) throw kubeErrorFrom(answer.status, answer.text, `${method} ${path}`);
      // The API server's answer for this path: T is the caller's type for it (custom resources are
      // checked by the server against the CRD schema, and their specs again by the reconcilers).
      return JSON.parse(answer.text) as T;
    },
    apply<T>(path: string, body: unknown, fieldManager: string): Promise<T> {
      return this.request<T>('PATCH', path, { query: { fieldManager, force: true }, body, contentType: 'application/apply-patch+yaml' });
    },
    async watch(path, request) {
      const url = urlOf(cluster.server, path, { ...request.query, watch: true });
      const ctx = new RequestContext(url.toString(), HttpMethod.GET);
      await kc.applySecurityAuthentication(ctx);
      const headers = { ...ctx.getHeaders(), accept: 'application/json', ...request.headers };
      return openWatchStream({
        url,
        headers,
        dispatcher: dispatcherOf(ctx.getDispatcher()),
        headersTimeoutMs: requestTimeoutMs,
        where: where('WATCH', path),
        onEvent: request.onEvent,
        onDone: request.onDone,
      });
    },
    close: () => dispatcherOf.close(),
  };
}
