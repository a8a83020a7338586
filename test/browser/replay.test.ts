// "Try a filter" on the targets page in a real headless Chromium: choosing a target prefills its
// current filter, a replay shows sent and suppressed per UTC day and alertname with the change
// against the current filter, and a bad regex shows the 400 naming the field.
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

function alertsBody(): Record<string, unknown>[] {
  const mk = (alertname: string, namespace: string, i: number): Record<string, unknown> => ({
    status: 'firing',
    labels: { alertname, namespace, severity: 'warning', instance: `host-${i}` },
    startsAt: new Date(Date.UTC(2026, 10, 22, 5, i)).toISOString(),
  });
  return [mk('PayLatency', 'payments', 1), mk('PayLatency', 'payments', 2), mk('WebErrors', 'web', 3), mk('WebErrors', 'web', 4), mk('WebErrors', 'web', 5)];
}

describe.runIf(inject('chromiumPath'))('replay form in a real browser', () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  /** The UTC day the events were received (one statement: one day), even if the test runs across midnight. */
  let receivedDay: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A disabled target: its filter is the current configuration; nothing is sent anywhere.
    const targets = `publishing:\n  targets:\n    - { name: team-hook, type: webhook, url: "http://127.0.0.1:9/hook", enabled: false, filter: { namespaces: [payments] } }\n`;
    svc = await startTestService(await backends().at(-1)!.fresh(), {}, { configYaml: targets });
    expect((await svc.post('/webhook', alertsBody())).status).toBe(200);
    const [row] = await svc.db.query<{ day: string }>(`SELECT DISTINCT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM alert_events`);
    receivedDay = row!.day;
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });
  beforeEach(async () => {
    errors = [];
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      // The 400 of the bad-regex case is logged by Chromium as a failed resource load.
      if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterEach(async ({ task }) => {
    await page.screenshot({ path: `${SHOTS}replay-${task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`, fullPage: true });
    await page.context().close();
    expect(errors).toEqual([]);
  });

  it("prefills the target's filter, replays a wider one and shows the change per alertname and day", async () => {
    await page.goto(`${svc.url}/dashboard/targets`);
    const choice = page.getByTestId('replay-target');
    await expect.poll(() => choice.locator('option').count()).toBe(2);
    await choice.selectOption('team-hook');
    const filter = page.getByTestId('replay-filter');
    expect(JSON.parse(await filter.inputValue())).toEqual({ namespaces: ['payments'], excludeNoise: true });

    await filter.fill(JSON.stringify({ namespaces: ['payments', 'web'] }));
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('replay-total-sent').textContent()).toBe('5');
    const web = page.locator('[data-testid="replay-alertname"][data-bucket="WebErrors"]');
    expect(await web.getByTestId('replay-sent').textContent()).toBe('3');
    expect(await web.getByTestId('replay-change').textContent()).toBe('+3 sent');
    const pay = page.locator('[data-testid="replay-alertname"][data-bucket="PayLatency"]');
    expect(await pay.getByTestId('replay-change').textContent()).toBe('no change');
    expect(await page.locator(`[data-testid="replay-day"][data-bucket="${receivedDay}"]`).getByTestId('replay-sent').textContent()).toBe('5');

    // The target's own filter again: the web alerts are suppressed, with the live reason.
    await filter.fill(JSON.stringify({ namespaces: ['payments'] }));
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('replay-total-suppressed').textContent()).toBe('3');
    expect(await page.getByTestId('replay-reasons').textContent()).toContain('3 × namespace "web" not in [payments]');
  });

  it('shows the error naming the field for a bad regex', async () => {
    await page.goto(`${svc.url}/dashboard/targets`);
    await page.getByTestId('replay-filter').fill(JSON.stringify({ alertNamePattern: '(unclosed' }));
    await page.getByTestId('replay-run').click();
    await expect.poll(() => page.getByTestId('replay-results').textContent()).toContain('filter.alertNamePattern');
  });
});
