// The write side of `alert-history import-legacy`: one transaction per batch holds its state
// changes (through the ingest statement, record.ts, with their old receive times), the
// fingerprint mappings, the classifications and the checkpoint, so an interrupted import resumes
// exactly where its last commit left it. Old receive times land behind the rollup watermark: the
// same transaction moves the watermark back to the start of that UTC day, so reads take those
// days raw until the rollup job has rebuilt them (docs/adr/0010), and answers stay exact.
import type { Category, Severity } from '../core/classification.ts';
import type { NormalizedAlert } from '../core/types.ts';
import type { Db, Sql } from './db.ts';
import { recordGroup } from './record.ts';

/** A classification carried over from a predecessor (source 'legacy-import'). */
export interface ImportedClassification {
  fingerprint: string;
  severity: Severity;
  confidence: number;
  category: Category;
  reasoning: string;
  recommendations: string[];
  model: string;
  promptVersion: string;
  latencyMs: number;
  /** The old row's creation time; with the fingerprint, what makes a repeat a duplicate. */
  createdAt: string;
}

/** What one batch writes. */
export interface ImportBatch {
  /** State changes, each with its receive time; at most one per state-change key. */
  events: NormalizedAlert[];
  mappings: { legacyFingerprint: string; fingerprint: string }[];
  classifications: ImportedClassification[];
  shape: string;
}

/** What one batch added. */
export interface ImportWritten {
  events: number;
  classifications: number;
  mappings: number;
}

/** Where an import is: the phase, the last source key written, the counts so far. */
export interface ImportCheckpoint {
  source: string;
  shape: string;
  phase: string;
  cursor: string | null;
  counts: unknown;
  finished: boolean;
}

const CLASSIFICATIONS_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[],
                       $9::int[], $10::timestamptz[])
    AS t(fingerprint, severity, confidence, category, reasoning, recommendations, model, prompt_version, latency_ms, created_at)
)
INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model,
                             prompt_version, latency_ms, created_at)
SELECT fingerprint, severity, confidence, category, reasoning, recommendations, 'legacy-import', model, prompt_version,
       latency_ms, created_at
FROM input i
WHERE NOT EXISTS (
  SELECT 1 FROM classifications c
  WHERE c.fingerprint = i.fingerprint AND c.created_at = i.created_at AND c.source = 'legacy-import'
)
ORDER BY fingerprint, created_at
RETURNING id`;

async function insertClassifications(tx: Sql, rows: readonly ImportedClassification[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof ImportedClassification>(k: K): unknown[] => rows.map((r) => r[k]);
  const inserted = await tx.query(CLASSIFICATIONS_SQL, [
    col('fingerprint'),
    col('severity'),
    col('confidence'),
    col('category'),
    col('reasoning'),
    rows.map((r) => JSON.stringify(r.recommendations)),
    col('model'),
    col('promptVersion'),
    col('latencyMs'),
    col('createdAt'),
  ]);
  return inserted.length;
}

async function insertMappings(tx: Sql, batch: ImportBatch): Promise<number> {
  if (batch.mappings.length === 0) return 0;
  const inserted = await tx.query(
    `INSERT INTO legacy_fingerprints (legacy_fingerprint, fingerprint, shape)
     SELECT l, f, $3 FROM unnest($1::text[], $2::text[]) AS t(l, f)
     ORDER BY l, f
     ON CONFLICT DO NOTHING
     RETURNING 1`,
    [batch.mappings.map((m) => m.legacyFingerprint), batch.mappings.map((m) => m.fingerprint), batch.shape],
  );
  return inserted.length;
}

/** Moves the rollup watermark back to the UTC day of the oldest receive time written (never forward). */
async function rewindRollups(tx: Sql, oldestReceived: string): Promise<void> {
  await tx.query(`UPDATE alert_rollup_state SET watermark = least(watermark, date_trunc('day', $1::timestamptz, 'UTC')), updated_at = now() WHERE id = 1`, [
    oldestReceived,
  ]);
}

/** Saves the checkpoint (insert or replace). */
export async function saveCheckpoint(tx: Sql, c: ImportCheckpoint): Promise<void> {
  await tx.query(
    `INSERT INTO legacy_imports (source, shape, phase, cursor, counts, finished_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, CASE WHEN $6::boolean THEN now() END)
     ON CONFLICT (source, shape) DO UPDATE SET phase = excluded.phase, cursor = excluded.cursor, counts = excluded.counts,
       updated_at = now(), finished_at = excluded.finished_at,
       started_at = CASE WHEN legacy_imports.finished_at IS NOT NULL THEN now() ELSE legacy_imports.started_at END`,
    [c.source, c.shape, c.phase, c.cursor, JSON.stringify(c.counts), c.finished],
  );
}

/** The checkpoint of (source, shape), if an import of it ever started. */
export async function loadCheckpoint(db: Sql, source: string, shape: string): Promise<ImportCheckpoint | undefined> {
  const [row] = await db.query<{ phase: string; cursor: string | null; counts: unknown; finished: boolean }>(
    'SELECT phase, cursor, counts, finished_at IS NOT NULL AS finished FROM legacy_imports WHERE source = $1 AND shape = $2',
    [source, shape],
  );
  return row ? { source, shape, phase: row.phase, cursor: row.cursor, counts: row.counts, finished: row.finished } : undefined;
}

/**
 * Writes a batch and the checkpoint `after` builds from what it added, in one transaction. No
 * deliveries are queued: old history is not published.
 */
export async function writeImportBatch(db: Db, batch: ImportBatch, after: (written: ImportWritten) => ImportCheckpoint): Promise<ImportWritten> {
  return db.transaction(async (tx) => {
    // Large batches: compiling the statement with LLVM costs more than it saves.
    if (db.kind === 'postgres') await tx.query('SET LOCAL jit = off');
    const [recorded] =
      batch.events.length > 0 ? await recordGroup(tx, [{ alerts: batch.events, receiver: null, groupKey: null, source: 'legacy-import' }]) : [];
    const newEvents = recorded?.newEvents ?? [];
    if (newEvents.length > 0)
      await rewindRollups(
        tx,
        newEvents.reduce((min, e) => (e.receivedAt < min ? e.receivedAt : min), newEvents[0]!.receivedAt),
      );
    const written: ImportWritten = {
      events: newEvents.length,
      classifications: await insertClassifications(tx, batch.classifications),
      mappings: await insertMappings(tx, batch),
    };
    await saveCheckpoint(tx, after(written));
    return written;
  });
}
