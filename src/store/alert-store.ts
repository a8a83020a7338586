// AlertStore on the SQL port: the same implementation serves PostgreSQL and PGlite.
import type { AlertStore, RetentionStore } from '../core/ports.ts';
import { flappingAlerts, historyStats, report, topAlerts } from './analytics.ts';
import type { Db } from './db.ts';
import { alertDetail, historyPage, recentEvents } from './history.ts';
import { createRecorder, type RecorderOptions } from './record.ts';
import { deleteOlderThan } from './retention.ts';
import { countOf } from './rows.ts';

/** Tuning of the store. */
export interface StoreOptions {
  /** `/history` counts exactly up to this many matches, then reports the planner's estimate. */
  exactCountLimit?: number;
  /** Group commit of ingest (webhook.groupCommit); on with its defaults when absent. */
  groupCommit?: RecorderOptions;
}

/** Creates the store over an open, migrated database. */
export function createAlertStore(db: Db, options: StoreOptions = {}): AlertStore & RetentionStore {
  const countLimit = options.exactCountLimit ?? 1_000;
  return {
    record: createRecorder(db, options.groupCommit),
    // API reads: their own connections and the read deadline (Db.reads).
    history: (filter, page) => historyPage(db.reads, filter, page, countLimit),
    alert: (fingerprint, limit) => alertDetail(db.reads, fingerprint, limit),
    recent: (limit) => recentEvents(db.reads, limit),
    top: (query) => topAlerts(db.reads, query),
    flapping: (query) => flappingAlerts(db.reads, query),
    stats: (range) => historyStats(db.reads, range),
    report: (query) => report(db.reads, query),
    countAlerts: () => countOf(db, 'SELECT count(*) AS n FROM alerts'),
    deleteOlderThan: (cutoff, batchSize) => deleteOlderThan(db, cutoff, batchSize),
  };
}
