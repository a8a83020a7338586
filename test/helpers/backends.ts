// The two stores every integration suite runs on: real PostgreSQL and embedded PGlite. Each
// `fresh()` gives an empty, migrated database.
import type { PGlite } from '@electric-sql/pglite';
import pino from 'pino';
import { inject } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { createPglite, openPglite } from '../../src/store/pglite.ts';

/** A store flavour. */
export interface Backend {
  name: 'postgres' | 'pglite';
  /** An empty migrated database; the caller closes it. */
  fresh(): Promise<Db>;
  /** The URL when the backend is PostgreSQL. */
  url?: string;
}

let snapshot: Blob | undefined;

async function pgliteSnapshot(): Promise<Blob> {
  if (!snapshot) {
    const instance: PGlite = await createPglite();
    await migrate(await openPglite({ instance }));
    snapshot = await instance.dumpDataDir('none');
    await instance.close();
  }
  return snapshot;
}

const pgliteBackend: Backend = {
  name: 'pglite',
  async fresh() {
    return openPglite({ instance: await createPglite({ loadDataDir: await pgliteSnapshot() }) });
  },
};

const silent = pino({ level: 'silent' });

function postgresBackend(url: string): Backend {
  return {
    name: 'postgres',
    url,
    async fresh() {
      const db = openPostgres({ url, poolSize: 10, connectTimeoutMs: 3_000, statementTimeoutMs: 30_000, logger: silent });
      await migrate(db);
      await db.query('TRUNCATE alert_events, alerts, settings, classifications, deliveries, policy_matches, silence_actions, recorder_events RESTART IDENTITY');
      return db;
    },
  };
}

/** The backends available in this run (PostgreSQL is absent only outside CI). */
export function backends(): Backend[] {
  const url = inject('postgresUrl');
  return url ? [postgresBackend(url), pgliteBackend] : [pgliteBackend];
}

/** PostgreSQL alone, or undefined when this run has none. */
export function postgresOnly(): Backend | undefined {
  const url = inject('postgresUrl');
  return url ? postgresBackend(url) : undefined;
}
