// jsonb read back is parsed (src/store/columns.ts): a stored value that does not match its schema
// fails a read with an INTERNAL_ERROR naming table, column and row, and never takes a delivery
// batch down with it.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { latestClassification } from '../../src/store/classification-store.ts';
import type { Db } from '../../src/store/db.ts';
import { historyPage } from '../../src/store/history.ts';
import { createDeliveryStore } from '../../src/store/outbox.ts';
import { backends } from '../helpers/backends.ts';

async function event(db: Db, fingerprint: string, labels: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO alert_events (fingerprint, status, starts_at, alertname, labels, annotations)
     VALUES ($1, 'firing', now(), 'A', $2::jsonb, '{}') RETURNING id`,
    [fingerprint, labels],
  );
  return row!.id;
}

async function delivery(db: Db, eventId: number, fingerprint: string, classification: string | null): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO deliveries (event_id, target, fingerprint, state, classification) VALUES ($1, 'hook', $2, 'pending', $3::jsonb) RETURNING id`,
    [eventId, fingerprint, classification],
  );
  return row!.id;
}

describe.each(backends())('stored values read back on $name', (backend) => {
  it('fails a history read naming alert_events.labels and the row', async () => {
    const db = await backend.fresh();
    const id = await event(db, 'fp-bad', '{"alertname": 1}');
    const read = (): Promise<unknown> => historyPage(db, { labels: [], order: 'desc' }, { limit: 10, offset: 0 }, 1000);
    await expect(read()).rejects.toThrow(AppError);
    await expect(read()).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringMatching(new RegExp(`^alert_events\\.labels of row ${id} does not match its schema`)),
      details: { table: 'alert_events', column: 'labels', key: id },
    });
    await db.close();
  });

  it('fails a classification lookup on a row whose category is unknown', async () => {
    const db = await backend.fresh();
    await db.query(
      `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model, prompt_version, latency_ms)
       VALUES ('fp-c', 'warning', 0.5, 'weather', 'r', '[]', 'llm', 'm', 'v1', 3)`,
    );
    await expect(latestClassification(db, 'fp-c')).rejects.toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringMatching(/^classifications row \d+ does not match its schema at category/),
    });
    await db.close();
  });

  it('claims a row with an unreadable classification as unrouted, and dead-letters one whose event does not parse', async () => {
    const db = await backend.fresh();
    const outbox = createDeliveryStore(db);
    const good = await delivery(db, await event(db, 'fp-1', '{"alertname": "A"}'), 'fp-1', '{"severity": "loud"}');
    const broken = await delivery(db, await event(db, 'fp-2', '{"alertname": ["A"]}'), 'fp-2', null);
    const claimed = await outbox.claim({ limit: 10, exclude: [], worker: 'w1', leaseMs: 60_000 });
    expect(claimed.map((c) => ({ id: c.id, unrouted: c.unrouted, classification: c.classification }))).toEqual([
      { id: good, unrouted: true, classification: undefined },
    ]);
    const [dead] = await db.query<{ state: string; last_error: string; claimed_by: string | null }>(
      'SELECT state, last_error, claimed_by FROM deliveries WHERE id = $1',
      [broken],
    );
    expect(dead).toMatchObject({
      state: 'dead',
      claimed_by: null,
      last_error: expect.stringMatching(/^alert_events\.labels of row \d+ does not match its schema/),
    });
    await db.close();
  });
});
