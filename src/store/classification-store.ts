// Classification results in the `classifications` table: every result is kept (a history per
// fingerprint); reads take the newest.
import type { Classification, ClassificationRepository, ClassificationSource, StoredClassification } from '../core/classification.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { Sql } from './db.ts';

interface Row {
  fingerprint: string;
  severity: Classification['severity'];
  confidence: number;
  category: Classification['category'];
  reasoning: string;
  recommendations: string[];
  source: ClassificationSource;
  model: string;
  prompt_version: string;
  latency_ms: number;
  created_at: string;
}

/** Appends a result. */
export async function saveClassification(db: Sql, fingerprint: string, c: Classification): Promise<void> {
  await db.query(
    `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model,
                                  prompt_version, latency_ms)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [fingerprint, c.severity, c.confidence, c.category, c.reasoning, JSON.stringify(c.recommendations), c.source, c.model, c.promptVersion, Math.round(c.latencyMs)],
  );
}

/** The newest result for a fingerprint, or null. */
export async function latestClassification(db: Sql, fingerprint: string): Promise<StoredClassification | null> {
  const [row] = await db.query<Row>(
    'SELECT * FROM classifications WHERE fingerprint = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
    [fingerprint],
  );
  if (!row) return null;
  return {
    fingerprint: row.fingerprint,
    severity: row.severity,
    confidence: row.confidence,
    category: row.category,
    reasoning: row.reasoning,
    recommendations: row.recommendations,
    source: row.source,
    model: row.model,
    promptVersion: row.prompt_version,
    latencyMs: row.latency_ms,
    createdAt: pgTimestampToIso(row.created_at),
  };
}

/** The repository port over a database. */
export function createClassificationRepository(db: Sql): ClassificationRepository {
  return { save: (fp, c) => saveClassification(db, fp, c), latest: (fp) => latestClassification(db, fp) };
}
