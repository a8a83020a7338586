// The command line as users run it: check-config exit codes, migrate, and serve on the embedded
// store with SIGTERM handled (exit 0), all as real child processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../helpers/postgres.ts';
import { fixture } from '../helpers/fixtures.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', cwd: tmpdir() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

  it('serves on the embedded store and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'ah-cli-'));
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH ?? '', SERVER_PORT: String(port), SERVER_HOST: '127.0.0.1', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await waitForLog(child, 'alert-history ready');
    expect(ready.driver).toBe('pglite');
    const res = await fetch(`http://127.0.0.1:${port}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixture('am-v4-firing.json') });
    expect(res.status).toBe(200);
    const history = (await (await fetch(`http://127.0.0.1:${port}/history`)).json()) as { total: number };
    expect(history.total).toBe(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const stopped = waitForLog(child, 'stopped');
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  });
});
