// Rollups (issue 13): every analytics and dashboard read answers the same from rollups plus raw
// edges as from alert_events alone, over generated history: random alerts over 17 days (whole
// weeks among them),
// late arrivals (re-flagging a stored successor), flaps, retention between rollup runs, ranges
// with partial hours and days, and concurrent rollup runs. Time is simulated: each batch is stored
// by the real ingest statement, then given the simulated receive time; the job rolls up to the
// simulated now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedAlert } from '../../src/core/types.ts';
import { runRetention } from '../../src/pipeline/retention.ts';
import type { Db } from '../../src/store/db.ts';
import { recordBatch } from '../../src/store/record.ts';
import { deleteOlderThan } from '../../src/store/retention.ts';
import { withRollupState } from '../../src/store/rollup-parts.ts';
import { retireRollups, runRollup } from '../../src/store/rollup.ts';
import { backends } from '../helpers/backends.ts';
import { compareAll } from '../helpers/rollup-compare.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const micros = (ms: number, rnd: () => number): string => `${new Date(ms).toISOString().slice(0, 19)}.${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}Z`;

interface Alert {
  fingerprint: string;
  labels: Record<string, string>;
  last: number;
  status: 'firing' | 'resolved';
}

function alerts(): Alert[] {
  return Array.from({ length: 14 }, (_, i) => {
    const labels: Record<string, string> = { alertname: `Alert${i % 4}`, instance: `host-${i}` };
    if (i % 5 !== 0) labels.namespace = `ns-${i % 3}`;
    if (i % 6 !== 0) labels.severity = ['critical', 'warning', 'info', 'page', 'none'][i % 5]!;
    return { fingerprint: `fp${String(i).padStart(14, '0')}`, labels, last: 0, status: 'resolved' };
  });
}

/** The next state change of `a`: usually its next episode, sometimes a late one before its last. */
function change(a: Alert, now: number, rnd: () => number): NormalizedAlert {
  const late = a.last > 0 && rnd() < 0.2;
  const status = late ? (rnd() < 0.5 ? 'firing' : 'resolved') : a.status === 'firing' ? 'resolved' : 'firing';
  const startsMs = late ? a.last - Math.floor(rnd() * 2 * DAY) : now - Math.floor(rnd() * 30 * MINUTE);
  if (!late) {
    a.last = startsMs;
    a.status = status;
  }
  const startsAt = micros(startsMs, rnd);
  const endsAt = status === 'resolved' && rnd() < 0.9 ? micros(startsMs + Math.floor(rnd() * 3 * HOUR), rnd) : null;
  return { fingerprint: a.fingerprint, status, labels: a.labels, annotations: {}, startsAt, endsAt, generatorURL: '' };
}

/** Stores a batch with the ingest statement and stamps it received at `at`. */
async function ingest(db: Db, batch: NormalizedAlert[], at: number): Promise<void> {
  const result = await recordBatch(db, { alerts: batch, receiver: 'am', groupKey: '{}', source: 'webhook' });
  const ids = result.newEvents.map((e) => e.id);
  await db.query('UPDATE alert_events SET received_at = $1::timestamptz WHERE id = ANY($2::int8[])', [iso(at), ids]);
}

async function retain(db: Db, now: number, days: number): Promise<void> {
  const run = await runRetention({
    store: { deleteOlderThan: (cutoff, batchSize) => deleteOlderThan(db, cutoff, batchSize) },
    exclusive: (fn) => fn(),
    beforeDelete: (cutoff) => retireRollups(db, cutoff),
    days,
    batchSize: 7,
    intervalMs: HOUR,
    clock: { now: () => now },
    log: { info: () => undefined, warn: () => undefined },
  });
  expect(run.result).toBe('ok');
}

describe.each(backends())('rollups on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.fresh();
  });
  afterAll(async () => {
    // TRUNCATE resets the rollups too (the trigger): nothing is left for the next suite.
    await db.query('TRUNCATE alert_events, alerts, deliveries RESTART IDENTITY CASCADE');
    await db.close();
  });

  it('answers every analytics and dashboard read exactly as the raw queries do', async () => {
    const rnd = random(13);
    const pool = alerts();
    const start = Math.floor((Date.now() - 17 * DAY) / HOUR) * HOUR + 11 * MINUTE;
    let now = start;
    let checks = 0;
    let weeks = 0;
    for (let step = 0; now < Date.now() - 2 * HOUR; step++) {
      now += Math.floor(10 * MINUTE + rnd() * 80 * MINUTE);
      const batch = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => change(pool[Math.floor(rnd() * pool.length)]!, now, rnd));
      await ingest(db, [...new Map(batch.map((a) => [`${a.fingerprint}/${a.status}/${a.startsAt}`, a])).values()], now);
      if (step % 9 === 4) {
        // Two runs at once: one does the work, the other finds the watermark locked or done.
        await Promise.all([runRollup(db, { horizon: iso(now) }), runRollup(db, { horizon: iso(now) })]);
      }
      if (step % 97 === 60) await retain(db, now, 9);
      if (step % 31 === 30) {
        await compareAll(db, start, now, rnd);
        checks++;
        const [row] = await db.query<{ n: number }>(
          'SELECT least((SELECT count(*) FROM alert_rollup_weeks), (SELECT count(*) FROM alert_rollup_six_hours)) AS n',
        );
        weeks = Math.max(weeks, row!.n);
      }
    }
    await retain(db, now, 3);
    await compareAll(db, start, now, rnd);
    // The real horizon (this database's clock and open transactions) rolls up the rest.
    const run = await runRollup(db);
    expect(run.watermark).not.toBeNull();
    await compareAll(db, start, now, rnd);
    const [state] = await db.query<{ rolled: number; flapped: number; late: number }>(
      `SELECT (SELECT count(*) FROM alert_rollup_days) AS rolled, (SELECT count(*) FROM alert_events WHERE flapped) AS flapped,
              (SELECT count(*) FROM alert_events e WHERE EXISTS (
                 SELECT 1 FROM alert_events n WHERE n.fingerprint = e.fingerprint AND (n.starts_at, n.status) > (e.starts_at, e.status)
                   AND n.received_at < e.received_at)) AS late`,
    );
    // The history exercised what it should: rollups in use, flaps, late arrivals before stored events.
    expect(state!.rolled).toBeGreaterThan(0);
    expect(state!.flapped).toBeGreaterThan(50);
    expect(state!.late).toBeGreaterThan(20);
    expect(checks).toBeGreaterThan(5);
    expect(weeks).toBeGreaterThan(0);
  }, 300_000);

  it('repeats a rollup read when the job or retention moved the state during it', async () => {
    await db.query(`INSERT INTO alert_rollup_state (id, watermark, retained_from) VALUES (1, '2026-11-20T10:00:00Z', '-infinity')
                    ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, retained_from = excluded.retained_from`);
    const moves = [
      "UPDATE alert_rollup_state SET watermark = watermark + interval '1 hour'",
      "UPDATE alert_rollup_state SET retained_from = '2026-11-01T00:00:00Z'",
    ];
    const seen: number[] = [];
    const answer = await withRollupState(db, async (state) => {
      seen.push(state.watermark);
      const move = moves.shift();
      if (move) await db.query(move);
      return seen.length;
    });
    expect(answer).toBe(3);
    expect(seen).toEqual([Date.parse('2026-11-20T10:00:00Z'), Date.parse('2026-11-20T11:00:00Z'), Date.parse('2026-11-20T11:00:00Z')]);
  });
});
