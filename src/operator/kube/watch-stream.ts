// One watch stream: a GET with watch=true whose body is newline-delimited JSON events. Unlike
// ordinary requests it has no client-side deadline once the response has started: kube-apiserver
// ends it after the `timeoutSeconds` the caller asked for and sends bookmarks meanwhile, and only
// the informer's watchdog judges a stream that went silent (client-go's reflector does the same).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import { type KubeError, kubeErrorFrom } from './kube-error.ts';
import type { WatchEventType } from './list-watch.ts';

/** Options of {@link openWatchStream}. */
export interface WatchStreamOptions {
  url: URL;
  headers: Record<string, string>;
  dispatcher?: Dispatcher | undefined;
  /** How long the response headers may take (a stream that never starts); the body has no deadline. */
  headersTimeoutMs: number;
  onEvent: (type: WatchEventType, obj: unknown) => void;
  /** Called once: no argument when the server ended the stream, else the error (or the abort). */
  onDone: (err?: unknown) => void;
}

async function statusError(statusCode: number, body: Readable & { text(): Promise<string> }, path: string): Promise<KubeError> {
  return kubeErrorFrom(statusCode, await body.text().catch(() => ''), `WATCH ${path}`);
}

function readEvents(body: Readable, onEvent: WatchStreamOptions['onEvent'], finish: (err?: unknown) => void): void {
  body.on('error', finish);
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  // readline re-emits the body's errors (an abort included) on the interface.
  lines.on('error', finish);
  lines.on('close', () => finish());
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      const event = JSON.parse(line) as { type?: WatchEventType; object?: unknown };
      if (event.type) onEvent(event.type, event.object);
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
  try {
    const response = await request(options.url, {
      method: 'GET',
      headers: options.headers,
      dispatcher: options.dispatcher,
      signal: controller.signal,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) finish(await statusError(response.statusCode, response.body, options.url.pathname));
    else if (done) response.body.destroy();
    else readEvents(response.body, options.onEvent, finish);
  } catch (err) {
    finish(err);
  }
  return abort;
}
