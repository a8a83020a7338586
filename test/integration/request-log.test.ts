// The access log's modes on the running service: `summary` writes a line per 4xx/5xx and one
// per-route summary (here written by the drain at stop), never a line per successful request.
import { describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { fixtureJson } from '../helpers/fixtures.ts';
import { startTestService } from '../helpers/service.ts';

interface LogLine {
  msg: string;
  status?: number;
  route?: string;
  requests?: number;
  routes?: { method: string; route: string; count: number; statuses: Record<string, number> }[];
}

const postgres = backends().find((b) => b.name === 'postgres') ?? backends()[0]!;

describe('LOG_REQUESTS', () => {
  it('summary: one line per error, one summary per route with counts by status class, no line per success', async () => {
    const svc = await startTestService(await postgres.fresh(), { LOG_REQUESTS: 'summary', LOG_SUMMARY_INTERVAL_SECONDS: '3600' });
    for (let i = 0; i < 5; i++) expect((await svc.post('/webhook', fixtureJson('am-v4-firing.json'))).status).toBe(200);
    expect((await svc.post('/webhook', '{"version":')).status).toBe(400);
    expect((await svc.get('/healthz')).status).toBe(200);
    await svc.stop();
    const lines = svc.logs.map((l) => JSON.parse(l) as LogLine);
    const perRequest = lines.filter((l) => l.msg === 'request');
    expect(perRequest.map((l) => [l.route, l.status])).toEqual([['/webhook', 400]]);
    const summaries = lines.filter((l) => l.msg === 'requests summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.requests).toBe(7);
    expect(summaries[0]?.routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', route: '/webhook', count: 6, statuses: { '2xx': 5, '4xx': 1 } }),
        expect.objectContaining({ method: 'GET', route: '/healthz', count: 1, statuses: { '2xx': 1 } }),
      ]),
    );
  });

  it('errors: no summary line', async () => {
    const svc = await startTestService(await postgres.fresh(), { LOG_REQUESTS: 'errors' });
    expect((await svc.post('/webhook', fixtureJson('am-v4-firing.json'))).status).toBe(200);
    await svc.stop();
    const msgs = svc.logs.map((l) => (JSON.parse(l) as LogLine).msg);
    expect(msgs).not.toContain('requests summary');
    expect(msgs).not.toContain('request');
  });
});
