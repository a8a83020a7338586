// End-to-end tier setup: a real Alertmanager from hack/setup-alertmanager.sh (ALERTMANAGER_DIR,
// else its cache, else a build from the Alertmanager Go module, a few minutes cold) and a real
// PostgreSQL (found or started, as the integration tier does) with a database of this run. Under
// CI=true a missing Alertmanager or PostgreSQL fails the run; elsewhere the tier is skipped with
// one line.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, findPostgres, type PostgresServer } from '../helpers/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The dir holding the `alertmanager` binary, or '' when the tier is skipped. */
    alertmanagerDir: string;
    /** A database of this run, or '' when the tier is skipped. */
    e2ePostgresUrl: string;
  }
}

let server: PostgresServer | undefined;
let database: string | undefined;

function alertmanager(): { dir: string } | { error: string } {
  const script = new URL('../../hack/setup-alertmanager.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000 });
  const dir = r.stdout.trim();
  return r.status === 0 && dir ? { dir } : { error: `hack/setup-alertmanager.sh failed (exit ${r.status ?? 'signal'})` };
}

function skip(project: TestProject, why: string): void {
  if (process.env.CI === 'true') throw new Error(`CI=true and Alertmanager and PostgreSQL are required: ${why}`);
  process.stderr.write(`[e2e] skipping the e2e tier: ${why}\n`);
  project.provide('alertmanagerDir', '');
  project.provide('e2ePostgresUrl', '');
}

export async function setup(project: TestProject): Promise<void> {
  const am = alertmanager();
  if ('error' in am) return skip(project, am.error);
  const found = await findPostgres();
  if (typeof found === 'string') return skip(project, found);
  server = found;
  database = `alert_history_e2e_${process.pid}`;
  const url = await createDatabase(found.adminUrl, database);
  process.stderr.write(`[e2e] Alertmanager in ${am.dir}; PostgreSQL: ${found.origin}, database ${database}\n`);
  project.provide('alertmanagerDir', am.dir);
  project.provide('e2ePostgresUrl', url);
}

export async function teardown(): Promise<void> {
  if (server && database) await dropDatabase(server.adminUrl, database).catch(() => undefined);
  await server?.stop();
}
