// Silences on the dashboard in a real headless Chromium, against the strict fake Alertmanager: on an
// alert's page, Silence opens the dialog with the alert's labels as matchers; a matcher is unticked,
// another turned into a regex (a broken one first: the dialog names it and nothing is sent); the
// silence is created with the API token the dashboard holds; it shows as active with its history;
// the history list marks the silenced alert only; Expire ends it with one click. Without
// silences.url no Silence button shows.
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type FakeAlertmanager, startFakeAlertmanager } from '../helpers/fake-alertmanager.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'browser-silence-token-000001';
const API = '44a691f422eafef8';
const WORKER = '44fdbac966a50875';

describe.runIf(inject('chromiumPath'))('silences in a real browser', () => {
  let svc: TestService;
  let am: FakeAlertmanager;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    am = await startFakeAlertmanager({ basic: { username: 'ah', password: 'browser-am-password' } });
    svc = await startTestService(await backends().at(-1)!.fresh(), {
      API_TOKENS: TOKEN,
      SILENCES_ALERTMANAGER_URL: am.url,
      SILENCES_USERNAME: 'ah',
      SILENCES_PASSWORD: 'browser-am-password',
    });
    expect((await svc.post('/webhook', fixture('am-v4-firing.json'))).status).toBe(200);
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await am?.close();
  });
  beforeEach(async () => {
    errors = [];
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    // The token a user gave the dashboard's token dialog earlier in this tab.
    await context.addInitScript((token) => sessionStorage.setItem('alert-history.api-token', token), TOKEN);
    page = await context.newPage();
    page.on('console', (m) => {
      // Chromium logs the refused create (400, the point of a step) and the alert page's "not
      // classified yet" lookup (404) as failed resource loads; anything else is an error.
      if (m.type() === 'error' && !/status of (400|404)/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterEach(async () => {
    await page.context().close();
    expect(errors).toEqual([]);
  });

  const row = (name: string) => page.getByTestId('silence-matcher').and(page.locator(`[data-name="${name}"]`));

  it('silences an alert with a narrowed matcher, marks it in the list and expires it with one click', async () => {
    await page.goto(`${svc.url}/dashboard/alerts/${API}`);
    await page.getByTestId('silence-open').click();
    const dialog = page.getByTestId('silence-dialog');
    await expect.poll(() => dialog.getByTestId('silence-matcher').count()).toBe(8);
    await row('pod').getByTestId('silence-matcher-include').uncheck();
    await row('namespace').getByTestId('silence-matcher-op').selectOption('=~');
    await row('namespace').getByTestId('silence-matcher-value').fill('pay.*(');
    await dialog.getByTestId('silence-comment').fill('rolling out the fix');
    await dialog.getByTestId('silence-author').fill('alice');
    await dialog.getByTestId('silence-submit').click();
    await expect.poll(() => dialog.getByTestId('silence-error').textContent()).toContain('matchers[4].value');
    expect(await row('namespace').getByTestId('silence-matcher-value').getAttribute('aria-invalid')).toBe('true');
    expect(am.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    await row('namespace').getByTestId('silence-matcher-value').fill('pay.*');
    await dialog.getByTestId('silence-submit').click();
    await expect.poll(() => page.getByTestId('active-silence').count()).toBe(1);
    const posted = am.requests.filter((r) => r.method === 'POST');
    expect(posted).toHaveLength(1);
    const sent = posted[0]!.body as { matchers: { name: string; value: string; isRegex: boolean }[]; createdBy: string };
    expect(sent.createdBy).toBe('alice');
    expect(sent.matchers.map((m) => m.name)).not.toContain('pod');
    expect(sent.matchers).toContainEqual({ name: 'namespace', value: 'pay.*', isRegex: true, isEqual: true });
    expect(am.violations).toEqual([]);
    expect(await page.getByTestId('active-silence').textContent()).toContain('namespace=~"pay.*"');
    await expect.poll(() => page.getByTestId('silence-history').textContent()).toContain('alice');

    await page.goto(`${svc.url}/dashboard/history`);
    await expect.poll(() => page.getByTestId('silenced-mark').count()).toBe(1);
    expect(await page.locator(`[data-fingerprint="${API}"]`).getByTestId('silenced-mark').count()).toBe(1);
    expect(await page.locator(`[data-fingerprint="${WORKER}"]`).getByTestId('silenced-mark').count()).toBe(0);
    await page.goto(`${svc.url}/`);
    await expect.poll(() => page.getByTestId('recent-alerts').getByTestId('silenced-mark').count()).toBe(1);
    expect(
      await page
        .getByTestId('recent-alert')
        .and(page.locator(`[data-fingerprint="${API}"]`))
        .getByTestId('silenced-mark')
        .count(),
    ).toBe(1);

    await page.goto(`${svc.url}/dashboard/alerts/${API}`);
    await page.getByTestId('silence-expire').click();
    await expect.poll(() => page.getByTestId('no-silences').count()).toBe(1);
    const id = Object.keys(Object.fromEntries(am.silences))[0]!;
    expect(am.stateOf(id)).toBe('expired');
    await expect.poll(() => page.getByTestId('silence-history').textContent()).toContain('expired the silence');
    await page.goto(`${svc.url}/dashboard/history`);
    await expect.poll(() => page.getByTestId('silence-open').count()).toBe(2);
    expect(await page.getByTestId('silenced-mark').count()).toBe(0);
  });

  it('shows no Silence button when silences are not configured', async () => {
    const off = await startTestService(await backends().at(-1)!.fresh(), {});
    try {
      await off.post('/webhook', fixture('am-v4-firing.json'));
      await page.goto(`${off.url}/dashboard/alerts/${API}`);
      await expect.poll(() => page.getByTestId('alert-silences').textContent()).toContain('Silences are off');
      expect(await page.getByTestId('silence-open').count()).toBe(0);
    } finally {
      await page.close();
      await off.stop();
    }
  });
});
