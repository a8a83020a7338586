// The history of silences made from the dashboard (silence_actions) on the SQL port, and the
// current labels of listed alerts for the silenced marks. Reads go through Db.reads (the API's
// pool and deadline); matchers are parsed back with zod, never cast.
import { z } from 'zod';
import type { SilenceAction, SilenceActionStore } from '../core/silence.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn, stringMapColumn } from './columns.ts';
import type { Db } from './db.ts';
import type { SqlRow } from './rows.ts';
import { isoOrNull } from './rows.ts';
import type { alerts, silenceActions } from './schema.ts';

type ActionRow = SqlRow<typeof silenceActions>;

const COLUMNS = 'id, action, silence_id, fingerprint, matchers, starts_at, ends_at, author, comment, created_at';

const matchersColumn = z.array(z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean() }));

const INSERT_SQL = `
INSERT INTO silence_actions (action, silence_id, fingerprint, matchers, starts_at, ends_at, author, comment)
VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING ${COLUMNS}`;

function toAction(row: ActionRow): SilenceAction {
  return {
    id: row.id,
    action: row.action,
    silenceId: row.silence_id,
    fingerprint: row.fingerprint,
    matchers: parseColumn(matchersColumn, row.matchers, { table: 'silence_actions', column: 'matchers', key: row.id }),
    startsAt: isoOrNull(row.starts_at),
    endsAt: isoOrNull(row.ends_at),
    author: row.author,
    comment: row.comment,
    createdAt: pgTimestampToIso(row.created_at),
  };
}

/** Creates the store over an open, migrated database. */
export function createSilenceActionStore(db: Db): SilenceActionStore {
  return {
    async record(a) {
      const params = [a.action, a.silenceId, a.fingerprint, JSON.stringify(a.matchers), a.startsAt, a.endsAt, a.author, a.comment];
      const [row] = await db.query<ActionRow>(INSERT_SQL, params);
      if (!row) throw new Error('INSERT ... RETURNING gave no row');
      return toAction(row);
    },
    async list(filter) {
      const rows = await db.reads.query<ActionRow>(
        `SELECT ${COLUMNS} FROM silence_actions
         WHERE ($1::text IS NULL OR fingerprint = $1) AND ($2::text IS NULL OR silence_id = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [filter.fingerprint ?? null, filter.silenceId ?? null, filter.limit],
      );
      return rows.map(toAction);
    },
    async labelsOf(fingerprints) {
      if (fingerprints.length === 0) return new Map();
      const rows = await db.reads.query<Pick<SqlRow<typeof alerts>, 'fingerprint' | 'labels'>>(
        'SELECT fingerprint, labels FROM alerts WHERE fingerprint = ANY($1::text[])',
        [[...new Set(fingerprints)]],
      );
      return new Map(rows.map((r) => [r.fingerprint, parseColumn(stringMapColumn, r.labels, { table: 'alerts', column: 'labels', key: r.fingerprint })]));
    },
  };
}
