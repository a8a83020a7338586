// `alert-history import-legacy` as users run it (real child processes): bad usage exits 2 and
// writes nothing, a password in --from never appears, SIGINT and kill -9 mid-import resume to the
// totals of one run, and the embedded store (DATA_DIR) as the target.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateOriginalSqlite, postgresFixture, sqliteFixture } from '../helpers/legacy-fixtures.ts';
import { createDatabase, dropDatabase, withDatabase } from '../helpers/postgres.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const PASSWORD = 'Sup3rS3cretPw-legacy';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Result {
  const r = spawnSync(process.execPath, [CLI, 'import-legacy', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    cwd: tmpdir(),
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Directories this file made (embedded data directories are ~40 MB), removed at the end. */
const made: string[] = [];
const emptyDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ah-legacy-cli-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('import-legacy: bad usage exits 2 naming the problem and writes nothing', () => {
  it.each([
    [[], '--from is required'],
    [['--from', '/no/such/legacy.db'], 'no such file /no/such/legacy.db'],
    [['--from', 'mysql://u:p@h/db'], 'unsupported scheme mysql:'],
    [['--from', 'sqlite://relative.db'], 'needs an absolute path'],
    [['--from', '/tmp', '--batch-size', '0'], '--batch-size: must be a whole number of at least 1'],
  ])('%j', (args, message) => {
    const dataDir = emptyDir();
    const r = run(args, { DATA_DIR: dataDir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('an unknown shape names the tables seen', () => {
    const file = join(emptyDir(), 'other.db');
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT); CREATE TABLE meta (k TEXT, v TEXT)');
    db.close();
    const dataDir = emptyDir();
    const r = run(['--from', `sqlite://${file}`], { DATA_DIR: dataDir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `import-legacy: cannot tell the shape of sqlite://${file}: tables seen: events(id, payload), meta(k, v) (known shapes: original-sqlite, python-sqlite, postgres, go-lite)`,
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('--shape that does not fit names what the source lacks', () => {
    const r = run(['--from', sqliteFixture('python-sqlite'), '--shape', 'go-lite'], { DATA_DIR: emptyDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--shape go-lite: the source lacks alerts.alert_name, alerts.updated_at; tables seen: ');
    expect(run(['--from', sqliteFixture('python-sqlite'), '--shape', 'nosuch'], { DATA_DIR: emptyDir() }).stderr).toContain('unknown shape "nosuch"');
  });

  it('--dry-run reports and does not even create the embedded store', () => {
    const dataDir = emptyDir();
    const r = run(['--from', sqliteFixture('original-sqlite'), '--dry-run', '--json'], { DATA_DIR: dataDir });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ dry_run: true, status: 'completed', read: { events: 13 }, imported: { events: 6 }, skipped: { total: 6 } });
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe('import-legacy into the embedded store (DATA_DIR)', () => {
  it('imports, reports in text, and a second run finds everything stored', () => {
    const dataDir = emptyDir();
    const from = sqliteFixture('python-sqlite');
    const first = run(['--from', from], { DATA_DIR: dataDir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('import-legacy completed');
    expect(first.stdout).toContain('imported:   6 events, 2 classifications, 4 old fingerprints mapped');
    expect(first.stdout).toContain('skipped:    7 (');
    const second = JSON.parse(run(['--from', from, '--json'], { DATA_DIR: dataDir }).stdout);
    expect(second.imported).toEqual({ events: 0, classifications: 0, fingerprint_mappings: 0 });
    expect(second.duplicates).toEqual({ events: 6, classifications: 2 });
  }, 300_000);
});

const adminUrl = inject('postgresAdminUrl');

describe.runIf(adminUrl)('import-legacy into PostgreSQL (DATABASE_URL)', () => {
  const source = `alert_history_legacy_cli_src_${process.pid}`;
  const targets: string[] = [];
  let sourceUrl = '';
  beforeAll(async () => {
    sourceUrl = await postgresFixture(adminUrl, source);
  });
  afterAll(async () => {
    await dropDatabase(adminUrl, source);
    for (const t of targets) await dropDatabase(adminUrl, t);
  });

  async function target(name: string): Promise<string> {
    const database = `alert_history_legacy_cli_${name}_${process.pid}`;
    targets.push(database);
    return createDatabase(adminUrl, database);
  }

  async function scalar(url: string, sql: string): Promise<unknown> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Object.values((await client.query(sql)).rows[0] as object)[0];
    } finally {
      await client.end();
    }
  }

  it('never shows the password of --from: not in the report, the progress, the checkpoint or an error', async () => {
    const databaseUrl = await target('secret');
    const from = new URL(sourceUrl);
    from.password = PASSWORD;
    const r = run(['--from', from.toString(), '--json', '--progress-every', '0', '--batch-size', '2'], { DATABASE_URL: databaseUrl });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ shape: 'postgres', status: 'completed', imported: { events: 4, classifications: 2, fingerprint_mappings: 2 } });
    expect(report.source).toBe(`postgres://postgres:***@${from.host}/${source}`);
    expect(r.stderr).toContain('import-legacy: ');
    expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
    expect(await scalar(databaseUrl, "SELECT string_agg(source, ',') FROM legacy_imports")).toBe(report.source);

    const unknown = new URL(withDatabase(sourceUrl, 'alert_history_no_such_legacy_db'));
    unknown.password = PASSWORD;
    const failed = run(['--from', unknown.toString()], { DATABASE_URL: databaseUrl });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /^import-legacy failed: cannot open the source postgres:\/\/postgres:\*\*\*@.*alert_history_no_such_legacy_db: .*does not exist/,
    );
    expect(`${failed.stdout}${failed.stderr}`).not.toContain(PASSWORD);
  });

  /** Starts an import of `from` and resolves once it has committed at least one batch. */
  function startImport(
    from: string,
    databaseUrl: string,
  ): { child: ChildProcess; progressed: Promise<void>; exited: Promise<number | null>; stdout: () => string } {
    const child = spawn(process.execPath, [CLI, 'import-legacy', '--from', from, '--batch-size', '500', '--progress-every', '0'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const progressed = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('rows/s') && resolve()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, progressed, exited, stdout: () => out };
  }

  it.each(['SIGINT', 'SIGKILL'] as const)('interrupted by %s mid-import, a second run ends with the totals of one run', async (signal) => {
    const rows = 12_000;
    const from = generateOriginalSqlite(rows, { alerts: 300 });
    made.push(dirname(from));
    const databaseUrl = await target(signal.toLowerCase());
    const first = startImport(from, databaseUrl);
    await first.progressed;
    first.child.kill(signal);
    const code = await first.exited;
    if (signal === 'SIGINT') {
      expect(code).toBe(130);
      expect(first.stdout()).toContain('import-legacy interrupted: run the same command again to continue where it stopped');
    }
    const stored = Number(await scalar(databaseUrl, 'SELECT count(*) FROM alert_events'));
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(rows);
    const rest = run(['--from', from, '--json', '--batch-size', '500'], { DATABASE_URL: databaseUrl });
    expect(rest.status, rest.stderr).toBe(0);
    const report = JSON.parse(rest.stdout);
    expect(report).toMatchObject({
      status: 'completed',
      resumed: true,
      read: { events: rows },
      imported: { events: rows },
      duplicates: { events: 0 },
      skipped: { total: 0 },
    });
    expect(report.read_this_run).toBeLessThan(rows);
    expect(Number(await scalar(databaseUrl, 'SELECT count(*) FROM alert_events'))).toBe(rows);
    expect(Number(await scalar(databaseUrl, 'SELECT sum(event_count) FROM alerts'))).toBe(rows);
  });
});
