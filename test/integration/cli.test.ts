// The command line as users run it: check-config exit codes, migrate, and serve on the embedded
// store with SIGTERM handled (exit 0), all as real child processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../helpers/postgres.ts';
import { fixture } from '../helpers/fixtures.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/alert-history', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}, as: { uid?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    cwd: tmpdir(),
    timeout: 60_000,
    ...(as.uid === undefined ? {} : { uid: as.uid, gid: as.uid }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `serve` expecting a start-up failure: exit 1 and exactly one stderr line, returned. */
function failedStart(env: Record<string, string>, as: { uid?: number } = {}): string {
  const r = run(['serve'], { SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', ...env }, as);
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain('[object Object]');
  return lines[0]!;
}

/** A directory `serve` may not write: as root (chmod does not stop root) one owned by root, run as nobody. */
function unwritableDir(): { dir: string; as: { uid?: number }; uid: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ah-ro-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) return { dir, as: { uid: 65534 }, uid: 65534 };
  chmodSync(dir, 0o555);
  return { dir, as: {}, uid: process.getuid?.() ?? 0 };
}

/** Resolves with the first JSON log line whose msg matches. */
function waitForLog(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === msg) resolve(entry);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${msg}"`)));
  });
}

describe('alert-history CLI', () => {
  it('check-config: exit 2 with one line naming key and range', () => {
    const bad = run(['check-config'], { SERVER_PORT: 'eighty' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['config: server.port (env SERVER_PORT): must be an integer from 0 to 65535 (got "eighty")']);
    const good = run(['check-config'], { SERVER_PORT: '9090' });
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('listen 0.0.0.0:9090');
    expect(good.stdout).toContain('metrics-only (no publishing target)');
  });

  it('check-config: a bad publishing target exits 2 naming the target and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
    writeFileSync(join(dir, 'config.yaml'), 'publishing:\n  targets:\n    - { name: bot, type: slack, credentials: "xoxb-secret-token" }\n');
    const bad = run(['check-config', '--config', join(dir, 'config.yaml')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('config: publishing.targets[0] (bot): slack.channel: required when credentials hold a bot token');
  });

  it('version and usage errors', () => {
    expect(run(['version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(['frobnicate']).status).toBe(2);
  });

  it.runIf(inject('postgresUrl'))('migrate applies the migrations on PostgreSQL', () => {
    const r = run(['migrate'], { DATABASE_URL: inject('postgresUrl') });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^migrations: \d+ applied, \d+ known \(postgres\)/);
  });

  it('serve: a data directory under a regular file exits 1 with one line naming it and the fix', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ah-cli-')), 'file.txt');
    writeFileSync(file, 'not a directory');
    const line = failedStart({ DATA_DIR: join(file, 'data') });
    expect(line).toBe(
      `alert-history: cannot open the embedded database in ${file}/data: a part of the path is a file, not a directory (ENOTDIR); set DATA_DIR (database.dataDir) to a directory, or set DATABASE_URL`,
    );
  });

  it('serve: a data directory the process cannot write exits 1 with one line naming it, the uid and the fix', () => {
    const { dir, as, uid } = unwritableDir();
    const line = failedStart({ DATA_DIR: dir }, as);
    expect(line).toBe(
      `alert-history: cannot open the embedded database in ${dir}: permission denied (EACCES); make the directory writable by uid ${uid} or set DATABASE_URL`,
    );
  });

  it('serve: a port in use exits 1 with one line naming the port and the setting', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const line = failedStart({ SERVER_PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'ah-cli-')) });
      expect(line).toBe(
        `alert-history: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE); stop the process using it or set server.port (env SERVER_PORT) to a free port`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it.runIf(inject('postgresUrl'))('migrate: an unknown PostgreSQL database exits 1 with one line naming it', () => {
    const url = new URL(inject('postgresUrl'));
    url.pathname = '/alert_history_no_such_db';
    const r = run(['migrate'], { DATABASE_URL: url.toString() });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^alert-history: cannot open database "alert_history_no_such_db" on PostgreSQL at .*\(3D000\); create it/) as unknown,
    ]);
  });

  it('serves on the embedded store and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH ?? '', SERVER_PORT: String(port), SERVER_HOST: '127.0.0.1', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await waitForLog(child, 'alert-history ready');
    expect(ready.driver).toBe('pglite');
    const res = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fixture('am-v4-firing.json'),
    });
    expect(res.status).toBe(200);
    const history = (await (await fetch(`http://127.0.0.1:${port}/history`)).json()) as { total: number };
    expect(history.total).toBe(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const stopped = waitForLog(child, 'stopped');
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('a second %s while a request holds the drain open exits at once with %i', async (signal, code) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
    // The drain would wait ten minutes for the held request; only the second signal can end it within the test's timeout.
    writeFileSync(join(dir, 'config.yaml'), 'server:\n  requestTimeoutMs: 600000\n  shutdownTimeoutMs: 600000\n');
    const child = spawn(process.execPath, [CLI, 'serve', '--config', join(dir, 'config.yaml')], {
      env: { PATH: process.env.PATH ?? '', SERVER_PORT: String(port), SERVER_HOST: '127.0.0.1', DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await waitForLog(child, 'alert-history ready');
    const held = connect(port, '127.0.0.1');
    held.on('error', () => undefined);
    await new Promise<void>((resolve) => held.once('connect', resolve));
    held.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"alerts":');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const draining = waitForLog(child, 'shutting down: draining requests');
    child.kill(signal);
    await draining;
    child.kill(signal);
    expect(await exited).toBe(code);
    held.destroy();
  });

  it('bin/alert-history runs the CLI on Node >= 22.19 even when an older Node comes first on PATH', () => {
    const path = '/usr/local/bin:/usr/bin:/bin';
    const bin = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(BIN, args, { env: { PATH: path, HOME: tmpdir() }, encoding: 'utf8', cwd: tmpdir(), timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const version = bin(['version', '--verbose']);
    expect(version.status, version.stderr).toBe(0);
    const [, nodeVersion, nodePath] = version.stdout
      .trim()
      .split(' node ')[1]!
      .match(/^(\S+) (\S+)$/)!;
    const [major, minor] = nodeVersion!.split('.').map(Number) as [number, number];
    expect(major > 22 || (major === 22 && minor >= 19), `bin/alert-history ran Node ${nodeVersion} (${nodePath})`).toBe(true);
    const checked = bin(['check-config']);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/^config ok: /);
  });
});
