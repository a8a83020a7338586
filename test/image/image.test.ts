// The image users build (./Dockerfile), run the way the docs say: read-only root filesystem, a
// fresh data volume, embedded PGlite, and the Helm chart's memory limit. It must become ready,
// keep an alert across the API, hold a burst within that limit, run as a non-root user, and stop
// cleanly on SIGTERM.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';

const image = inject('image');
const env = { ...process.env, CONTAINERS_CONF: inject('containersConf') };
const name = `alert-history-test-${randomBytes(4).toString('hex')}`;
const fixture = readFileSync(new URL('../fixtures/am-v4-firing.json', import.meta.url), 'utf8');
let base = '';
/** The chart's default memory limit (values.yaml resources.limits.memory, in Mi). */
const chartLimit = (
  parse(readFileSync(new URL('../../charts/alert-history/values.yaml', import.meta.url), 'utf8')) as { resources: { limits: { memory: string } } }
).resources.limits.memory;
const limitMiB = Number(/^(\d+)Mi$/.exec(chartLimit)?.[1]);

function podman(...args: string[]): string {
  return execFileSync('podman', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function waitReady(deadlineMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < deadlineMs) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready after ${deadlineMs} ms:\n${podman('logs', '--tail', '20', name)}`);
}

describe.skipIf(!image)('container image', () => {
  let readyMs = 0;

  beforeAll(async () => {
    podman('volume', 'create', name);
    expect(limitMiB, `charts/alert-history/values.yaml resources.limits.memory ${chartLimit}`).toBeGreaterThan(0);
    podman(
      'run',
      '-d',
      '--name',
      name,
      '--read-only',
      '-v',
      `${name}:/data`,
      '-p',
      '127.0.0.1::8080',
      '--memory',
      `${limitMiB}m`,
      '--memory-swap',
      `${limitMiB}m`,
      image,
    );
    base = `http://${podman('port', name, '8080/tcp')}`;
    readyMs = await waitReady(60_000);
    console.info(`image ${image}: ready ${readyMs} ms after start`);
  }, 90_000);

  afterAll(() => {
    podman('rm', '--force', '--ignore', '--time', '5', name);
    podman('volume', 'rm', '--force', name);
  });

  it('declares a non-root user, the data volume, a HEALTHCHECK and OCI labels', () => {
    const config = JSON.parse(podman('image', 'inspect', '--format', '{{json .Config}}', image)) as {
      User: string;
      Volumes: Record<string, unknown>;
      Labels: Record<string, string>;
    };
    const healthcheck = JSON.parse(podman('image', 'inspect', '--format', '{{json .HealthCheck}}', image)) as { Test: string[] } | null;
    expect(config.User).toBe('10001:10001');
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(healthcheck?.Test.join(' ')).toContain('/readyz');
    expect(config.Labels).toMatchObject({ 'org.opencontainers.image.title': 'alert-history', 'org.opencontainers.image.licenses': 'Apache-2.0' });
  });

  it('runs as a non-root uid on a read-only root filesystem', () => {
    const uid = /^Uid:\s+(\d+)/m.exec(podman('exec', name, 'cat', '/proc/1/status'))?.[1];
    expect(uid).toBe('10001');
    expect(() => podman('exec', name, 'touch', '/app/written')).toThrow(/Read-only file system/);
  });

  it('passes its own HEALTHCHECK', () => {
    expect(() => podman('healthcheck', 'run', name)).not.toThrow();
  });

  it('stores a posted Alertmanager payload and reads it back from /history', async () => {
    const posted = await fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fixture });
    expect(posted.status).toBe(200);
    const history = (await (await fetch(`${base}/history?limit=10`)).json()) as { alerts: { fingerprint: string }[] };
    const expected = (JSON.parse(fixture) as { alerts: { fingerprint: string }[] }).alerts.map((a) => a.fingerprint);
    expect(history.alerts.map((a) => a.fingerprint).sort()).toEqual([...expected].sort());
  });

  it(`holds a burst of webhooks and reads within the chart's ${chartLimit} limit`, async () => {
    // The first start's peak (and PGlite's optimizing compile, src/store/wasm-flags.ts) is what
    // got pods with this limit OOM-killed; a burst makes every hot path of the store run.
    const body = JSON.parse(fixture) as { alerts: { labels: Record<string, string>; fingerprint?: string }[] };
    for (let round = 0; round < 20; round++) {
      const alerts = Array.from({ length: 50 }, (_, i) => ({
        ...body.alerts[0]!,
        fingerprint: undefined,
        labels: { ...body.alerts[0]!.labels, instance: `burst-${round}-${i}` },
      }));
      const posts = Array.from({ length: 5 }, (_, i) =>
        fetch(`${base}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, alerts: alerts.slice(i * 10, i * 10 + 10) }),
        }).then((r) => r.status),
      );
      expect(await Promise.all([...posts, fetch(`${base}/history?limit=100`).then((r) => r.status)])).toEqual([200, 200, 200, 200, 200, 200]);
    }
    const stats = (await (await fetch(`${base}/history?limit=1`)).json()) as { total: number };
    expect(stats.total).toBeGreaterThanOrEqual(1000);
    expect(podman('inspect', '--format', '{{.State.Running}} {{.State.OOMKilled}}', name)).toBe('true false');
    const peak = podman('exec', name, 'sh', '-c', 'cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes');
    console.info(`image ${image}: cgroup memory peak ${Math.round(Number(peak) / 2 ** 20)} MiB of ${limitMiB} MiB`);
  });

  it('stops on SIGTERM with exit code 0 (not killed at the timeout)', () => {
    podman('stop', '--time', '30', name);
    expect(podman('inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name)).toBe('0 false');
  });
});
