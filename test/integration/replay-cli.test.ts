// `alert-history replay` as users run it: a child process on the embedded store of a data
// directory the service recorded into, with config.yaml's target as the current configuration.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReplayResponse } from '../../src/api/contract-publishing.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { startTestService } from '../helpers/service.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ah-replay-cli-'));
const dataDir = join(dir, 'data');
const config = join(dir, 'config.yaml');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The flags bin/alert-history passes (the embedded store warns without them).
  const r = spawnSync(process.execPath, ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering', CLI, 'replay', ...args, '--config', config], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
    encoding: 'utf8',
    cwd: dir,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('alert-history replay', () => {
  beforeAll(async () => {
    writeFileSync(config, 'publishing:\n  targets:\n    - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook", enabled: false }\n');
    const db = await openPglite({ dataDir });
    await migrate(db);
    const svc = await startTestService(db);
    const alerts = ['critical', 'warning', 'warning'].map((severity, i) => ({
      status: 'firing',
      labels: { alertname: i === 0 ? 'DiskFull' : 'HighLatency', severity, namespace: 'payments', n: String(i) },
      startsAt: '2026-11-30T10:00:00Z',
    }));
    expect((await svc.post('/webhook', { alerts })).status).toBe(200);
    await svc.stop();
    await db.close();
  });

  it('prints a table per day and alertname, and JSON with --json', () => {
    const filter = file('filter.yaml', 'severities: [critical]\n');
    const table = run(['--filter', filter, '--target', 'hook', '--since', '1h']);
    expect(table.stderr).toBe('');
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('replayed:      the given filter on target hook');
    expect(table.stdout).toMatch(/events 3: sent 1, suppressed 2; now sent 3: 0 newly sent, 2 newly suppressed/);
    expect(table.stdout).toMatch(/^\s+2 {2}severity warning not in \[critical\]$/m);
    expect(table.stdout).toMatch(/^HighLatency\s+2\s+0\s+2\s+2\s+0\s+2$/m);

    const json = run(['--filter', file('filter.json', '{"severities": ["critical"]}'), '--target', 'hook', '--since', '1h', '--json']);
    expect(json.status).toBe(0);
    const report = ReplayResponse.parse(JSON.parse(json.stdout));
    expect(report.totals).toMatchObject({ events: 3, sent: 1, newly_suppressed: 2 });
    expect(report.by_alertname.map((b) => b.alertname)).toEqual(['HighLatency', 'DiskFull']);
  });

  it('exits 2 naming the flag and field on bad usage', () => {
    const cases: [string[], RegExp][] = [
      [['--filter', file('bad.yaml', 'alertNamePattern: "(x"\n'), '--since', '1h'], /^replay: --filter \S+bad\.yaml \(alertNamePattern\): .*RE2/],
      [['--filter', join(dir, 'missing.yaml'), '--since', '1h'], /^replay: --filter .*missing\.yaml: cannot read it \(ENOENT\)/],
      [['--target', 'hook'], /^replay: --since is required/],
      [['--target', 'nope', '--since', '1h'], /^replay: --target: no publishing target named nope/],
      [['--since', '1h', '--policy', file('p.yaml', 'name: p\nmode: loud\n')], /^replay: --policy \(mode\): /],
      [['--since', '1h', '--frobnicate'], /^replay: Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });
});
