// The alert page's lifecycle card in a real headless Chromium: an alert the webhook never saw,
// silenced in Alertmanager, shows its firing and the silence with its creator and comment; a
// notified alert shows its group, the receiver/integration and the reason, in time order. No
// console errors. Screenshots go to test-results/.
import { mkdirSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;
const DIR = new URL('../fixtures/alertmanager-events-derived/', import.meta.url);
const recorded = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const captured = (name: string): string[] =>
  readFileSync(new URL(`../fixtures/alertmanager-events/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n');

describe.runIf(inject('chromiumPath'))('alert lifecycle in a real browser', () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let notFound: string[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startTestService(await backends().at(-1)!.fresh());
    expect((await svc.post('/webhook', fixture('am-v4-firing.json'))).status).toBe(200);
    for (const name of ['batch-silenced.json', 'alert-grouped.json', 'notification.json']) {
      expect((await svc.post('/events/alertmanager', recorded(name))).status).toBe(200);
    }
    // The capture of a real Alertmanager v0.35.0, verbatim: its webhook notifications, then its single-event output.
    for (const line of captured('notifications.jsonl')) expect((await svc.post('/webhook', line)).status).toBe(200);
    for (const line of captured('single.jsonl')) expect((await svc.post('/events/alertmanager', line)).status).toBe(200);
    browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });
  beforeEach(async () => {
    errors = [];
    notFound = [];
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // An alert the recorder brought in is not classified: the page asks and gets 404 (shown as "Not classified yet").
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(new URL(r.url()).pathname);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('status of 404')) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterEach(async ({ task }) => {
    await page.screenshot({ path: `${SHOTS}lifecycle-${task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`, fullPage: true });
    await page.context().close();
    expect(errors).toEqual([]);
    expect(notFound.filter((path) => !path.startsWith('/classification/'))).toEqual([]);
  });

  it('shows a silenced alert the webhook never saw: its firing, then the silence with creator and comment', async () => {
    await page.goto(`${svc.url}/dashboard/alerts/003b0a0f7d3fa569`);
    const lifecycle = page.getByTestId('alert-lifecycle');
    await expect.poll(() => lifecycle.textContent()).toContain('Silenced');
    const kinds = await Promise.all((await lifecycle.locator('li').all()).map((li) => li.getAttribute('data-kind')));
    expect(kinds).toEqual(['firing', 'silenceMutedAlert']);
    const text = (await lifecycle.textContent()) ?? '';
    expect(text).toContain('reported by event-recorder');
    expect(text).toContain('jane@example.com');
    expect(text).toContain('planned maintenance of the payments cluster');
    expect(text).toContain('alertname="Watchdog"');
  });

  it('shows a notified alert: grouped into its group, notified via receiver and integration with the reason', async () => {
    await page.goto(`${svc.url}/dashboard/alerts/44a691f422eafef8`);
    const lifecycle = page.getByTestId('alert-lifecycle');
    await expect.poll(() => lifecycle.textContent()).toContain('Notified');
    const kinds = await Promise.all((await lifecycle.locator('li').all()).map((li) => li.getAttribute('data-kind')));
    expect(kinds).toEqual(['firing', 'alertGrouped', 'notification']);
    const text = (await lifecycle.textContent()) ?? '';
    expect(text).toContain('group {alertname="KubePodCrashLooping"}');
    expect(text).toContain('via payments-oncall / webhook[0]');
    expect(text).toContain('reason: first notification');
    expect(text).toContain('reported by webhook');
  });

  it('shows the captured inhibited alert: inhibited by the source alert (a link), grouped, resolved, never notified', async () => {
    await page.goto(`${svc.url}/dashboard/alerts/63bb7a486b826127`);
    const lifecycle = page.getByTestId('alert-lifecycle');
    await expect.poll(() => lifecycle.textContent()).toContain('Inhibited');
    const kinds = await Promise.all((await lifecycle.locator('li').all()).map((li) => li.getAttribute('data-kind')));
    expect(kinds).toContain('inhibitionMutedAlert');
    expect(kinds).not.toContain('notification');
    expect(kinds[0]).toBe('firing');
    expect(kinds.indexOf('resolved')).toBeGreaterThan(kinds.indexOf('inhibitionMutedAlert'));
    expect(await lifecycle.textContent()).toContain('Group updated: resolved');
    await lifecycle.getByRole('link', { name: 'a6b559b6ac65e7b3' }).click();
    await expect.poll(() => page.getByTestId('alert-lifecycle').textContent()).toContain('Notified (firing)');
    expect(await page.getByTestId('alert-lifecycle').textContent()).toContain('via capture / webhook[0]');
  });
});
