// Test sends (POST /publishing/test/{target}) go through the target's token bucket and circuit
// breaker, the same ones the delivery worker uses: an empty bucket answers 429 and sends nothing,
// an open circuit answers 503 and sends nothing, and a test send's failures open the circuit.
// The service runs on a clock the test moves, so the bucket's refill never depends on timing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { TestSendResponse } from '../../src/api/contract-publishing.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { type Service, startService } from '../../src/main.ts';
import { backends } from '../helpers/backends.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';

const pglite = backends().find((b) => b.name === 'pglite')!;

function configYaml(fakeUrl: string): string {
  return `
publishing:
  worker: { circuitFailures: 2, circuitOpenMs: 30000 }
  targets:
    - { name: limited, type: webhook, url: ${fakeUrl}/hook/limited, delivery: { ratePerMinute: 60 } }
    - { name: flaky, type: webhook, url: ${fakeUrl}/hook/flaky, delivery: { ratePerMinute: 6000 } }
`;
}

describe('test sends share the target guard', () => {
  let fake: FakeVendors;
  let svc: Service;
  const clock = { ms: Date.parse('2026-11-20T09:00:00Z'), now: (): number => clock.ms };
  const testSend = (name: string): Promise<Response> => fetch(`${svc.url}/publishing/test/${name}`, { method: 'POST' });
  const reached = (name: string): number => fake.requests.filter((r) => r.path === `/hook/${name}`).length;

  beforeAll(async () => {
    fake = await startFakeVendors();
    const configPath = join(mkdtempSync(join(tmpdir(), 'ah-test-send-')), 'config.yaml');
    writeFileSync(configPath, configYaml(fake.url));
    const { config } = loadConfig({ env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: '0' }, cwd: tmpdir(), configPath });
    svc = await startService({ config, logger: pino({ level: 'silent' }), db: await pglite.fresh(), clock });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.close();
  });

  it('lets 100 quick calls reach a 60/min vendor only as often as the bucket holds tokens', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => testSend('limited')));
    const statuses = answers.map((r) => r.status);
    // 60 per minute holds one second's worth: one token; the clock does not move during the burst.
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(99);
    expect(reached('limited')).toBe(1);
    const refused = answers.filter((r) => r.status === 429);
    expect(new Set(refused.map((r) => r.headers.get('retry-after')))).toEqual(new Set(['1']));
    const envelopes = await Promise.all(refused.map(async (r) => ErrorEnvelope.parse(await r.json())));
    expect(new Set(envelopes.map((e) => e.code))).toEqual(new Set(['RATE_LIMITED']));
    await Promise.all(answers.filter((r) => r.status === 200).map((r) => r.text()));
    clock.ms += 1000;
    expect(TestSendResponse.parse(await (await testSend('limited')).json()).success).toBe(true);
    expect(reached('limited')).toBe(2);
  });

  it('feeds the breaker: failing test sends open the circuit, then 503 with the state and nothing sent', async () => {
    fake.script('webhook', { status: 500 }, { status: 500 });
    for (let i = 0; i < 2; i++) {
      const body = TestSendResponse.parse(await (await testSend('flaky')).json());
      expect(body).toMatchObject({ success: false, status_code: 500 });
    }
    expect(reached('flaky')).toBe(2);
    const refused = await testSend('flaky');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBe(30);
    expect(ErrorEnvelope.parse(await refused.json())).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { circuit_state: 'open' } });
    expect(reached('flaky')).toBe(2);
    const targets = (await (await fetch(`${svc.url}/publishing/targets`)).json()) as { name: string; circuit_state: string; health_status: string }[];
    expect(targets.find((t) => t.name === 'flaky')).toMatchObject({ circuit_state: 'open', health_status: 'unhealthy' });
  });
});
