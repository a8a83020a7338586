// The README as a newcomer follows it: the five-minute tour on a new data directory, then the
// publishing example against the vendor fakes on the same data directory, each step a real
// `alert-history serve` process. The example must publish although the tour stored its alerts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyResponse } from '../../src/api/contract.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { fixture } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/postgres.ts';
import { allTargetsYaml } from '../helpers/publishing.ts';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const DEMO_FINGERPRINT = '3e7afce6d1044588';
/** allTargetsYaml: one target per type, two of them Slack (incoming webhook and Web API). */
const TARGETS = 6;

interface Running {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `alert-history serve` as `make run` does and resolves once it logs that it is ready. */
async function serve(dataDir: string, configFile?: string): Promise<Running> {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), DATA_DIR: dataDir };
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', ...(configFile ? ['--config', configFile] : [])], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === 'alert-history ready') resolve();
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before it was ready`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function postJson(url: string, body: Buffer): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('README: the five-minute tour, then the publishing example', () => {
  let fake: FakeVendors;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ah-readme-')), 'data');

  beforeAll(async () => {
    fake = await startFakeVendors();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('publishes the example alert to every fake target after the tour stored the fixture alerts', { timeout: 120_000 }, async () => {
    const tour = await serve(dataDir);
    expect(await postJson(`${tour.url}/webhook`, fixture('am-v4-firing.json'))).toMatchObject({ processed: 2, saved: 2, duplicates: 0 });
    expect(await postJson(`${tour.url}/webhook`, fixture('am-v4-firing.json'))).toMatchObject({ processed: 2, saved: 0, duplicates: 2 });
    await postJson(`${tour.url}/webhook`, fixture('am-v4-resolved.json'));
    expect(await tour.stop()).toBe(0);

    const configFile = join(mkdtempSync(join(tmpdir(), 'ah-readme-')), 'config.fakes.yaml');
    writeFileSync(configFile, allTargetsYaml(fake.url));
    const publishing = await serve(dataDir, configFile);
    try {
      const body = ProxyResponse.parse(await postJson(`${publishing.url}/webhook/proxy`, fixture('am-v4-publish-demo.json')));
      expect(body).toMatchObject({ published_alerts: 1, metrics_only_mode: false });
      expect(Object.keys(body.publishing_results ?? {})).toEqual([DEMO_FINGERPRINT]);
      expect(body.publishing_results?.[DEMO_FINGERPRINT]).toMatchObject({ targets: TARGETS });
      const seen = await fake.waitFor((r) => r.length >= TARGETS);
      expect(new Set(seen.map((r) => r.vendor))).toEqual(new Set(['pagerduty', 'slack-webhook', 'slack-api', 'rootly', 'webhook', 'alertmanager']));
      expect(fake.violations).toEqual([]);
      // The tour's fixture, which the example used to post, is a duplicate by now: nothing to publish.
      const stale = ProxyResponse.parse(await postJson(`${publishing.url}/webhook/proxy`, fixture('am-v4-firing.json')));
      expect(stale.published_alerts).toBe(0);
    } finally {
      expect(await publishing.stop()).toBe(0);
    }
  });
});
