// The worker thread that owns the embedded database (PGlite runs its WASM PostgreSQL on the
// thread that calls it, so a slow query there would freeze the service's event loop). It opens
// the data directory, then answers one statement per message; pglite-worker.ts is the other end.
import { parentPort, workerData } from 'node:worker_threads';
import { asError } from '../core/startup-error.ts';
import { errorFields } from './db.ts';
import { createPglite } from './pglite.ts';
import { freshDataDirTemplate } from './pglite-template.ts';

/** What the host is started with. */
export interface HostInit {
  dataDir?: string | undefined;
  loadDataDir?: Blob | undefined;
}

/** One statement to run. */
export interface HostRequest {
  id: number;
  text: string;
  params?: unknown[] | undefined;
}

/** The answer to a request, or the host's readiness (`id` 0). */
export type HostReply = { id: number; rows: unknown[] } | { id: number; error: { message: string; code?: string | undefined } };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-host must run in a worker thread');
  // workerData is `any`: pglite-worker.ts starts this thread with a HostInit.
  const init = workerData as HostInit;
  try {
    const loadDataDir = init.loadDataDir ?? freshDataDirTemplate(init.dataDir);
    const pg = await createPglite({ dataDir: init.dataDir, loadDataDir });
    await pg.exec("SET TimeZone = 'UTC'");
    port.on('message', (request: HostRequest) => {
      pg.query(request.text, request.params).then(
        (result) => port.postMessage({ id: request.id, rows: result.rows } satisfies HostReply),
        (err: unknown) => port.postMessage({ id: request.id, error: errorOf(err) } satisfies HostReply),
      );
    });
    port.postMessage({ id: 0, rows: [] } satisfies HostReply);
  } catch (err) {
    port.postMessage({ id: 0, error: errorOf(err) } satisfies HostReply);
  }
}

/** What crosses the thread boundary: a readable message and the SQLSTATE or errno code. */
function errorOf(err: unknown): { message: string; code?: string | undefined } {
  const e = asError(err);
  const { code } = errorFields(e);
  return { message: e.message, code: typeof code === 'string' ? code : undefined };
}

void main();
