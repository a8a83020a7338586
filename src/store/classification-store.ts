// Classification results in the `classifications` table: every result is kept (a history per
// fingerprint); reads take the newest.
import type { Classification, ClassificationRepository, StoredClassification } from '../core/classification.ts';
import { classificationSchema } from '../core/classification-schema.ts';
import { pgTimestampToIso } from '../core/time.ts';
import { parseColumn } from './columns.ts';
import type { Sql } from './db.ts';
import type { SqlRow } from './rows.ts';
import type { classifications } from './schema.ts';

type Row = SqlRow<typeof classifications>;

/** Appends a result. */
export async function saveClassification(db: Sql, fingerprint: string, c: Classification): Promise<void> {
  await db.query(
    `INSERT INTO classifications (fingerprint, severity, confidence, category, reasoning, recommendations, source, model,
                                  prompt_version, latency_ms)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [
      fingerprint,
      c.severity,
      c.confidence,
      c.category,
      c.reasoning,
      JSON.stringify(c.recommendations),
      c.source,
      c.model,
      c.promptVersion,
      Math.round(c.latencyMs),
    ],
  );
}

/** The newest result for a fingerprint, or null. */
export async function latestClassification(db: Sql, fingerprint: string): Promise<StoredClassification | null> {
  const [row] = await db.query<Row>('SELECT * FROM classifications WHERE fingerprint = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [fingerprint]);
  if (!row) return null;
  // category, source and recommendations have no CHECK constraint: the row is parsed, not trusted.
  const classification = parseColumn(
    classificationSchema,
    {
      severity: row.severity,
      confidence: row.confidence,
      category: row.category,
      reasoning: row.reasoning,
      recommendations: row.recommendations,
      source: row.source,
      model: row.model,
      promptVersion: row.prompt_version,
      latencyMs: row.latency_ms,
    },
    { table: 'classifications', key: row.id },
  );
  return { ...classification, fingerprint: row.fingerprint, createdAt: pgTimestampToIso(row.created_at) };
}

/** The repository port over a database. */
export function createClassificationRepository(db: Sql): ClassificationRepository {
  return { save: (fp, c) => saveClassification(db, fp, c), latest: (fp) => latestClassification(db, fp) };
}
