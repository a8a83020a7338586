import { getTableColumns, getTableName, is, Table } from 'drizzle-orm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import type { AlertStatus } from '../core/types.ts';
import { type EventRow, type SnakeCase, type SqlRow, toAlertState, toEvent } from './rows.ts';
import * as schema from './schema.ts';

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const tables = Object.values(schema).filter((v) => is(v, Table));

const row: EventRow = {
  id: 7,
  fingerprint: 'fp',
  alertname: 'A',
  namespace: null,
  severity: null,
  status: 'firing',
  labels: JSON.parse('{"alertname":"A","__proto__":"kept"}'),
  annotations: {},
  starts_at: '2026-12-01 10:00:00+00',
  ends_at: null,
  generator_url: '',
  received_at: '2026-12-01 10:00:01.5+00',
  receiver: null,
};

describe('SqlRow', () => {
  it('names every column of every table as SnakeCase names its key (what the row types assume)', () => {
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      for (const [key, column] of Object.entries(getTableColumns(table)))
        expect(`${getTableName(table)}.${column.name}`).toBe(`${getTableName(table)}.${snake(key)}`);
    }
  });

  it("maps keys and keeps the drivers' value types", () => {
    expectTypeOf<SnakeCase<'lastEventId'>>().toEqualTypeOf<'last_event_id'>();
    expectTypeOf<SqlRow<typeof schema.alertEvents>['starts_at']>().toEqualTypeOf<string>();
    expectTypeOf<SqlRow<typeof schema.alertEvents>['ends_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<SqlRow<typeof schema.alertEvents>['status']>().toEqualTypeOf<AlertStatus>();
    expectTypeOf<SqlRow<typeof schema.alertEvents>['labels']>().toEqualTypeOf<unknown>();
    expectTypeOf<SqlRow<typeof schema.alertRollupDays>['resolved_seconds']>().toEqualTypeOf<number | null>();
  });
});

describe('toEvent', () => {
  it('parses labels in place: a __proto__ label stays an ordinary key', () => {
    const event = toEvent(row);
    expect(Object.keys(event.labels)).toEqual(['alertname', '__proto__']);
    expect(event.receivedAt).toBe('2026-12-01T10:00:01.5Z');
  });

  it('fails with an INTERNAL_ERROR naming table, column and row when a label map is not one', () => {
    const broken = { ...row, labels: { alertname: 1 } };
    expect(() => toEvent(broken)).toThrow(AppError);
    expect(() => toEvent(broken)).toThrow(/^alert_events\.labels of row 7 does not match its schema/);
    try {
      toEvent(broken);
    } catch (err) {
      expect(err).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false, details: { table: 'alert_events', column: 'labels', key: 7 } });
    }
  });

  it('names the alerts table for a current-state row', () => {
    const current = {
      ...row,
      labels: [],
      first_seen: row.received_at,
      last_seen: row.received_at,
      last_change: row.received_at,
      last_event_id: 7,
      event_count: 1,
      flap_count: 0,
    };
    expect(() => toAlertState(current)).toThrow(/^alerts\.labels of row fp does not match/);
  });
});
