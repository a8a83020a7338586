// The dashboard's live updates with protected reads (issue 10, defect 14): the tab holds the API
// token (sessionStorage), trades it for a single-use ticket before opening the stream, and a
// webhook sent while the overview is open appears without a reload. No URL the page requests
// carries the token, and no page logs a console error.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'api-token-browser-live-0000';

describe.runIf(inject('chromiumPath'))('live updates with protected reads in a real browser', () => {
  let svc: TestService;
  let browser: Browser;
  beforeAll(async () => {
    svc = await startTestService(await backends().at(-1)!.fresh(), { API_TOKENS: TOKEN, API_PROTECT_READS: 'true' });
    await svc.post('/webhook', fixture('am-v4-firing.json'));
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('opens the stream with a ticket and shows a new alert without a reload', async () => {
    const context = await browser.newContext();
    await context.addInitScript((token: string) => sessionStorage.setItem('alert-history.api-token', token), TOKEN);
    const page = await context.newPage();
    const errors: string[] = [];
    const urls: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => urls.push(r.url()));
    try {
      await page.goto(`${svc.url}/`);
      await expect.poll(() => page.getByTestId('live-status').textContent()).toMatch(/live/i);
      const streams = urls.filter((u) => u.includes('/api/v2/events/stream'));
      expect(streams.length).toBeGreaterThan(0);
      expect(streams.every((u) => /[?&]ticket=/.test(u))).toBe(true);
      expect(urls.some((u) => u.includes(TOKEN))).toBe(false);
      const res = await svc.post('/webhook', [
        {
          status: 'firing',
          labels: { alertname: 'ArrivedWithTicket', namespace: 'web', severity: 'critical' },
          annotations: {},
          startsAt: '2026-11-22T08:00:00Z',
        },
      ]);
      expect(res.status).toBe(200);
      await expect.poll(() => page.getByTestId('recent-alerts').textContent()).toContain('ArrivedWithTicket');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
