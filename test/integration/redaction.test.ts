// Defect 4: a target URL's secrets (userinfo, path segments, query values) and its credentials and
// headers never show, even when the receiver echoes the whole request back in a 500 or a 4xx:
// not in `/publishing/deliveries` `last_error`, not in the deliveries table, not in a test send's
// `error_message`, not in the log. Every publisher type, both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesResponse, TestSendResponse } from '../../src/api/contract-publishing.ts';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { ECHO_URL_SECRETS, echoUrl, type KitServer, secretForms, startKitServer } from '../helpers/publisher-kit.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const KEYS = {
  pagerduty: 'PDKEY0123456789abcdefABCDEF01234',
  slackBot: 'xoxb-7777-8888-echoedbottoken',
  rootly: 'rootly-echoed-api-key-0123456789',
  webhook: 'hook-echoed-bearer-0123456789',
  header: 'hdr-echoed-value-0123456789',
} as const;

/** Everything that must never show, in every form a receiver may echo it. */
const FORBIDDEN = secretForms([
  ...Object.values(ECHO_URL_SECRETS),
  Buffer.from(`${ECHO_URL_SECRETS.user}:${ECHO_URL_SECRETS.password}`).toString('base64'),
  ...Object.values(KEYS),
]);

/** A high rate, so the test sends right after the deliveries find tokens in the shared bucket. */
function targetsYaml(url: string): string {
  const u = JSON.stringify(url);
  return `
publishing:
  worker: { pollIntervalMs: 50, routingGraceSeconds: 1 }
  targets:
    - { name: pd, type: pagerduty, url: ${u}, credentials: ${KEYS.pagerduty}, delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
    - { name: slack-hook, type: slack, url: ${u}, delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
    - { name: slack-bot, type: slack, url: ${u}, credentials: ${KEYS.slackBot}, slack: { channel: C1 }, delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
    - { name: rootly, type: rootly, url: ${u}, credentials: ${KEYS.rootly}, delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
    - { name: hook, type: webhook, url: ${u}, credentials: ${KEYS.webhook}, headers: [ { name: X-Secret, value: ${KEYS.header} } ], delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
    - { name: am, type: alertmanager, url: ${u}, delivery: { maxAttempts: 1, ratePerMinute: 60000 } }
`;
}

const POLL = { timeout: 15_000, interval: 50 };

function leaks(text: string): string[] {
  return FORBIDDEN.filter((s) => text.includes(s));
}

describe.each(backends())('redaction by structure on $name', (backend) => {
  let echo: KitServer;
  let svc: TestService;

  async function dead(): Promise<ReturnType<typeof DeliveriesResponse.parse>['deliveries']> {
    const res = await svc.get('/publishing/deliveries?state=dead&limit=1000');
    return DeliveriesResponse.parse(await res.json()).deliveries;
  }

  beforeAll(async () => {
    echo = await startKitServer();
    svc = await startTestService(await backend.fresh(), {}, { configYaml: targetsYaml(echoUrl(echo.url)) });
  });
  afterAll(async () => {
    await svc?.stop();
    await echo?.close();
  });

  it.each([
    { status: 500, alerts: 'am-v4-firing.json' },
    { status: 400, alerts: 'am-v4-resolved.json' },
  ])('keeps every secret out of last_error, the table and the log when the receiver echoes it in a $status', async ({ status, alerts }) => {
    echo.reply = { status, echo: true };
    // Two state changes, six targets: twelve new dead letters, whichever case runs first.
    const before = (await dead()).length;
    expect((await svc.post('/webhook/proxy', fixture(alerts))).status).toBe(200);
    await expect.poll(async () => (await dead()).length, POLL).toBe(before + 12);
    expect(echo.lastEcho).toContain(ECHO_URL_SECRETS.segment);
    const errors = (await dead()).map((d) => d.last_error ?? '');
    expect(errors.filter((e) => e.includes(`HTTP ${status}`)).length).toBeGreaterThanOrEqual(10);
    expect(errors.some((e) => e.includes('/echo/***?token=***'))).toBe(true);
    const rows = await svc.db.query<{ last_error: string | null }>('SELECT last_error FROM deliveries');
    expect(leaks(JSON.stringify(errors))).toEqual([]);
    expect(leaks(JSON.stringify(rows))).toEqual([]);
    expect(leaks(svc.logs.join(''))).toEqual([]);
  });

  it('keeps every secret out of a test send error_message', async () => {
    echo.reply = { status: 401, echo: true };
    for (const name of ['pd', 'slack-hook', 'slack-bot', 'rootly', 'hook', 'am']) {
      const body = TestSendResponse.parse(await (await svc.post(`/publishing/test/${name}`, {})).json());
      expect(body.error_message, name).toContain('HTTP 401');
      expect(leaks(body.error_message ?? ''), name).toEqual([]);
    }
    expect(leaks(svc.logs.join(''))).toEqual([]);
  });
});
