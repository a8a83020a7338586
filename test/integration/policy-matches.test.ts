// EnrichmentPolicy match counters: every replica's proxy adds the policy of each new state change
// into one row per policy (concurrent upserts sum exactly, the latest match time wins), and a
// duplicate webhook, which records no new state change, counts nothing.
import { describe, expect, it } from 'vitest';
import { createPolicyMatchStore } from '../../src/store/policy-matches.ts';
import { backends } from '../helpers/backends.ts';
import { fixture } from '../helpers/fixtures.ts';
import { startTestService } from '../helpers/service.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const POLL = { timeout: 15_000, interval: 50 };

describe.each(backends())('policy match counters on $name', (backend) => {
  it('sums concurrent increments from several writers and keeps the latest match time', async () => {
    const db = await backend.fresh();
    try {
      const writers = [createPolicyMatchStore(db), createPolicyMatchStore(db)];
      await Promise.all(Array.from({ length: 20 }, (_, i) => writers[i % 2]!.record(['monitoring/payments', 'checkout', 'monitoring/payments'])));
      const before = await writers[0]!.totals();
      expect(before).toEqual([
        { policy: 'checkout', matched: 20, lastMatchAt: expect.stringMatching(ISO) },
        { policy: 'monitoring/payments', matched: 40, lastMatchAt: expect.stringMatching(ISO) },
      ]);
      await writers[1]!.record([]);
      await writers[1]!.record(['checkout']);
      const after = await writers[0]!.totals();
      expect(after[0]!.matched).toBe(21);
      expect(Date.parse(after[0]!.lastMatchAt)).toBeGreaterThanOrEqual(Date.parse(before[0]!.lastMatchAt));
    } finally {
      await db.close();
    }
  });

  it('counts the policy of each new state change the proxy records, and nothing for duplicates', async () => {
    const yaml = 'enrichment:\n  policies:\n    - { name: payments, priority: 10, mode: transparent, match: { namespaces: [payments] } }\n';
    const svc = await startTestService(await backend.fresh(), {}, { configYaml: yaml });
    try {
      const matches = createPolicyMatchStore(svc.db);
      expect((await svc.post('/webhook/proxy', fixture('am-v4-firing.json'))).status).toBe(200);
      await expect.poll(async () => (await matches.totals())[0]?.matched, POLL).toBe(2);
      expect((await svc.post('/webhook/proxy', fixture('am-v4-firing.json'))).status).toBe(200);
      const other = { labels: { alertname: 'Elsewhere', namespace: 'checkout' }, annotations: {}, startsAt: '2026-11-22T06:00:00Z', status: 'firing' };
      const more = { labels: { alertname: 'AlsoPayments', namespace: 'payments' }, annotations: {}, startsAt: '2026-11-22T06:00:00Z', status: 'firing' };
      expect((await svc.post('/webhook/proxy', [other, more])).status).toBe(200);
      await expect.poll(async () => (await matches.totals())[0]?.matched, POLL).toBe(3);
      expect(await matches.totals()).toEqual([{ policy: 'payments', matched: 3, lastMatchAt: expect.stringMatching(ISO) }]);
    } finally {
      await svc.stop();
    }
  });
});
