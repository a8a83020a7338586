// One watch stream: a GET with watch=true whose body is newline-delimited JSON events. Unlike
// ordinary requests it has no client-side deadline once the response has started: kube-apiserver
// ends it after the `timeoutSeconds` the caller asked for and sends bookmarks meanwhile, and only
// the informer's watchdog judges a stream that went silent (client-go's reflector does the same).
// It uses undici's request (headersTimeout bounds the start, bodyTimeout 0 leaves the body open)
// on the outbound layer's agent for the server unless client-node gave one, and maps failures
// without an answer as the layer does (outbound/errors.ts).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import { maskUrl } from '../../core/secret.ts';
import { outbound } from '../../outbound/client.ts';
import { toOutboundError } from '../../outbound/errors.ts';
import { type KubeError, kubeErrorFrom, kubeErrorFromOutbound } from './kube-error.ts';
import { WATCH_EVENT_TYPES, type WatchEventType } from './list-watch.ts';
import { isRecord } from '../../core/guards.ts';

/** Options of {@link openWatchStream}. */
export interface WatchStreamOptions {
  url: URL;
  headers: Record<string, string>;
  dispatcher?: Dispatcher | undefined;
  /** How long the response headers may take (a stream that never starts); the body has no deadline. */
  headersTimeoutMs: number;
  /** How failures without an answer name the stream; default `WATCH <path> on <masked server>`. */
  where?: string;
  onEvent: (type: WatchEventType, obj: unknown) => void;
  /** Called once: no argument when the server ended the stream, else the error (or the abort). */
  onDone: (err?: unknown) => void;
}

async function statusError(statusCode: number, body: Readable & { text(): Promise<string> }, path: string): Promise<KubeError> {
  return kubeErrorFrom(statusCode, await body.text().catch(() => ''), `WATCH ${path}`);
}

function readEvents(body: Readable, events: { onEvent: WatchStreamOptions['onEvent']; fail: (err: unknown) => void; finish: (err?: unknown) => void }): void {
  const { onEvent, fail, finish } = events;
  body.on('error', fail);
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  // readline re-emits the body's errors (an abort included) on the interface.
  lines.on('error', fail);
  lines.on('close', () => finish());
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      const event: unknown = JSON.parse(line);
      if (!isRecord(event)) return;
      const type = WATCH_EVENT_TYPES.find((t) => t === event.type);
      if (type) onEvent(type, event.object);
    } catch {
      finish(new Error(`watch stream sent a line that is not JSON (${line.length} bytes)`));
    }
  });
}

/** Opens the stream; resolves with a function that aborts it (onDone then gets the abort). */
export async function openWatchStream(options: WatchStreamOptions): Promise<() => void> {
  const controller = new AbortController();
  let done = false;
  const finish = (err?: unknown): void => {
    if (done) return;
    done = true;
    controller.abort();
    options.onDone(err);
  };
  const abort = (): void => finish(new Error('watch aborted'));
  const where = options.where ?? `WATCH ${options.url.pathname} on ${maskUrl(options.url.origin)}`;
  // After an abort `done` is set and the abort's own error is what onDone got.
  const fail = (err: unknown): void => finish(kubeErrorFromOutbound(toOutboundError(err, { where, timeoutMs: options.headersTimeoutMs })));
  try {
    const response = await request(options.url, {
      method: 'GET',
      headers: options.headers,
      dispatcher: options.dispatcher ?? outbound.dispatcherFor(options.url),
      signal: controller.signal,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) finish(await statusError(response.statusCode, response.body, options.url.pathname));
    else if (done) response.body.destroy();
    else readEvents(response.body, { onEvent: options.onEvent, fail, finish });
  } catch (err) {
    fail(err);
  }
  return abort;
}
