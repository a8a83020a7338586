// Finds or starts a real PostgreSQL for the integration tier: DATABASE_URL when set; else the
// local server on 127.0.0.1:5432; else a private server started from the machine's PostgreSQL
// binaries (initdb + pg_ctl) in a temporary directory. Each run gets its own database.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server the tests may create databases on. */
export interface PostgresServer {
  /** Admin URL (a maintenance database). */
  adminUrl: string;
  /** How it was found, for the log line. */
  origin: string;
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startPrivate(bin: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ah-pg-'));
  const port = await freePort();
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asPostgres.length) execFileSync('chown', ['postgres', dir]);
  const run = (cmd: string, args: string[]): void => {
    const [exe, ...rest] = [...asPostgres, join(bin, cmd), ...args];
    const r = spawnSync(exe!, rest, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  run('pg_ctl', ['-D', join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', 'start', '-l', join(dir, 'log')]);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    origin: `private server from ${bin} on port ${port}`,
    stop() {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** Finds a PostgreSQL server, or returns the reason there is none. */
export async function findPostgres(): Promise<PostgresServer | string> {
  const fromEnv = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (fromEnv) {
    if (await reachable(fromEnv)) return { adminUrl: fromEnv, origin: 'DATABASE_URL', stop: () => Promise.resolve() };
    return `DATABASE_URL is set but not reachable`;
  }
  for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres']) {
    if (await reachable(url)) return { adminUrl: url, origin: 'local server on 127.0.0.1:5432', stop: () => Promise.resolve() };
  }
  const bin = binDir();
  if (!bin) return 'no PostgreSQL: set DATABASE_URL, run one on 127.0.0.1:5432, or install the postgresql package';
  try {
    return await startPrivate(bin);
  } catch (err) {
    return `could not start a private PostgreSQL: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Replaces the database of a URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a fresh database and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

/** Drops a database created by {@link createDatabase}. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
