// The dashboard in a real headless Chromium against the running service: every page renders with
// data, the mode switch changes the shared mode, a webhook sent during the test appears on the
// open overview without a reload, history filters and pagination work through shareable URLs,
// and no page logs a console error. A screenshot of each page is kept in test-results/.
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { type FakeVendors, startFakeVendors } from '../helpers/fake-vendors.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

function alertsBody(prefix: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `${prefix}${i % 3}`, namespace: 'web', severity: i % 2 ? 'critical' : 'warning', instance: `host-${i}` },
    annotations: { summary: `${prefix} ${i}` },
    startsAt: new Date(Date.UTC(2026, 10, 22, 5, i)).toISOString(),
  }));
}

describe.runIf(inject('chromiumPath'))('dashboard in a real browser', () => {
  let svc: TestService;
  let fake: FakeVendors;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fake = await startFakeVendors();
    const targets = `publishing:\n  targets:\n    - { name: team-hook, type: webhook, url: "${fake.url}/hook", filter: { namespaces: [payments] } }\n`;
    svc = await startTestService(await backends().at(-1)!.fresh(), {}, { configYaml: targets });
    await svc.post('/webhook/proxy', fixture('am-v4-firing.json'));
    await svc.post('/webhook', alertsBody('BrowserAlert', 30));
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await fake?.close();
  });
  beforeEach(async () => {
    errors = [];
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterEach(async ({ task }) => {
    await page.screenshot({ path: `${SHOTS}${task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`, fullPage: true });
    await page.context().close();
    expect(errors).toEqual([]);
  });

  it('renders the overview with data and charts', async () => {
    await page.goto(`${svc.url}/`);
    await expect.poll(() => page.getByTestId('overview-total').textContent()).toContain('32');
    await expect.poll(() => page.getByTestId('recent-alert').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('timeline-chart').locator('svg').count()).toBeGreaterThan(0);
  });

  it('switches the enrichment mode', async () => {
    await page.goto(`${svc.url}/`);
    const select = page.getByTestId('mode-select');
    await select.waitFor();
    await select.selectOption('transparent');
    await expect.poll(() => page.getByTestId('mode-current').textContent()).toContain('transparent');
    await expect.poll(async () => ((await (await svc.get('/enrichment/mode')).json()) as { mode: string }).mode).toBe('transparent');
    await select.selectOption('enriched');
    await expect.poll(async () => ((await (await svc.get('/enrichment/mode')).json()) as { mode: string }).mode).toBe('enriched');
  });

  it('shows a webhook sent while the overview is open, without a reload', async () => {
    await page.goto(`${svc.url}/`);
    await expect.poll(() => page.getByTestId('live-status').textContent()).toMatch(/live|connected/i);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const res = await svc.post('/webhook', [
      { status: 'firing', labels: { alertname: 'ArrivedLive', namespace: 'web', severity: 'critical' }, annotations: {}, startsAt: '2026-11-22T07:00:00Z' },
    ]);
    expect(res.status).toBe(200);
    await expect.poll(() => page.getByTestId('recent-alerts').textContent()).toContain('ArrivedLive');
    expect(navigations).toEqual([]);
  });

  it('filters and paginates history through shareable URLs', async () => {
    await page.goto(`${svc.url}/dashboard/history?limit=10`);
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(10);
    await page.getByTestId('history-next').click();
    await expect.poll(() => page.url()).toMatch(/page=2/);
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(10);
    await page.getByTestId('filter-alertname').fill('BrowserAlert1');
    await page.getByTestId('filter-apply').click();
    await expect.poll(() => page.url()).toMatch(/alertname=BrowserAlert1/);
    await expect.poll(async () => (await page.getByTestId('history-row').allTextContents()).every((t) => t.includes('BrowserAlert1'))).toBe(true);
    expect(await page.getByTestId('history-row').count()).toBe(10);
    const shared = page.url();
    await page.goto(shared);
    await expect.poll(() => page.getByTestId('filter-alertname').inputValue()).toBe('BrowserAlert1');
  });

  it('shows an alert with its events and classification', async () => {
    await page.goto(`${svc.url}/dashboard/alerts/44a691f422eafef8`);
    await expect.poll(() => page.getByTestId('alert-events').textContent()).toContain('firing');
    await expect.poll(() => page.getByTestId('alert-classification').textContent()).toContain('warning');
  });

  it('renders the targets and LLM pages, sends a test alert, keyboard reachable', async () => {
    await page.goto(`${svc.url}/dashboard/targets`);
    await expect.poll(() => page.getByTestId('target-row').count()).toBe(1);
    expect(await page.getByTestId('target-row').textContent()).toContain('team-hook');
    await page.getByTestId('test-send').click();
    await expect.poll(() => page.getByTestId('test-result').textContent()).toMatch(/200/);
    await fake.waitFor((r) => r.some((x) => x.vendor === 'webhook' && JSON.stringify(x.body).includes('TestAlert')));
    await page.goto(`${svc.url}/dashboard/llm-metrics`);
    await expect.poll(() => page.getByTestId('llm-stats').textContent()).toMatch(/rules|fallback/i);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.tagName')).toMatch(/^(A|BUTTON|SELECT|INPUT)$/);
  });

  it('shows a dead letter of a namespaced target as namespace/name', async () => {
    await svc.db.query(
      `WITH e AS (INSERT INTO alert_events (fingerprint, status, starts_at, labels, annotations, alertname) VALUES ('keyed0000000001', 'firing', now(), '{}', '{}', 'KeyedDead') RETURNING id)
       INSERT INTO deliveries (event_id, target, fingerprint, state, attempts, last_error, last_error_reason) SELECT id, 'team-a/slack', 'keyed0000000001', 'dead', 1, 'HTTP 400', 'client_error' FROM e`,
    );
    await page.goto(`${svc.url}/dashboard/targets`);
    const cell = page.getByTestId('dead-letter').getByTestId('delivery-target');
    await expect.poll(() => cell.textContent()).toBe('team-a/slack');
    expect(await cell.locator('.muted').textContent()).toBe('team-a/');
  });
});
