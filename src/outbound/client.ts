// The one outbound HTTP layer (style.md rule 2, design.md): publishers, the LLM client and the
// Kubernetes client send through it. It owns the keep-alive agent per origin, the per-request
// deadline (covering the answer's body too), and the mapping of failures without an answer to
// OutboundError with the masked URL (core/secret.ts). Status codes are the callers' business.
import { type Dispatcher, fetch } from 'undici';
import { maskUrl } from '../core/secret.ts';
import { type AgentPool, type AgentPoolOptions, createAgentPool } from './agent-pool.ts';
import { toOutboundError } from './errors.ts';

/** One request. */
export interface SendOptions {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Deadline of the whole exchange: connection, answer and body. */
  timeoutMs: number;
  /** Default 'follow'; publishers refuse redirects ('error'). */
  redirect?: 'follow' | 'error' | 'manual';
  /** An agent the caller owns (the Kubernetes client's, carrying client certificates) instead of the pool's. */
  dispatcher?: Dispatcher | undefined;
  /** How messages name the request; default `METHOD` and the masked URL. */
  where?: string;
}

/** An answer, whatever its status, with its body read whole. */
export interface Answer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

/** The layer. */
export interface Outbound {
  /** Sends one request; rejects with an OutboundError when no answer came (timeout, network). */
  send(options: SendOptions): Promise<Answer>;
  /** The keep-alive agent of `url`'s origin, for requests made with undici directly (streams). */
  dispatcherFor(url: string | URL): Dispatcher;
  /** Closes the agents once their requests finish (shutdown); later requests get fresh ones. */
  close(): Promise<void>;
}

/** `METHOD https://host/***`: how a message may name a request. */
export function describeRequest(method: string, url: string | URL): string {
  return `${method} ${maskUrl(url.toString())}`;
}

async function exchange(pool: AgentPool, options: SendOptions): Promise<Answer> {
  const response = await fetch(options.url, {
    method: options.method,
    headers: options.headers,
    body: options.body,
    redirect: options.redirect ?? 'follow',
    dispatcher: options.dispatcher ?? pool.agentFor(options.url),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // Reading the body whole frees the connection for the next request; the deadline still runs.
  const text = await response.text();
  return { status: response.status, ok: response.ok, headers: response.headers, text };
}

/** Creates a layer with its own agents (tests; the service uses {@link outbound}). */
export function createOutbound(options: AgentPoolOptions = {}): Outbound {
  const pool = createAgentPool(options);
  return {
    async send(request) {
      try {
        return await exchange(pool, request);
      } catch (err) {
        throw toOutboundError(err, { where: request.where ?? describeRequest(request.method, request.url), timeoutMs: request.timeoutMs });
      }
    },
    dispatcherFor: (url) => pool.agentFor(url),
    close: () => pool.close(),
  };
}

/** The service's layer: one set of agents per process, closed when the app stops. */
export const outbound: Outbound = createOutbound();
