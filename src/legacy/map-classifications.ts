// Rows of the predecessors' `alert_classifications` -> rows of our `classifications` (source
// 'legacy-import'). The alert is found by the old fingerprint in the source; its labels give the
// recomputed fingerprint. Old severity values map onto ours the way the severity label does.
import { CATEGORIES, type Category } from '../core/classification.ts';
import { alertFingerprint } from '../core/fingerprint.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';
import { type DegradedReason, labelsOf, type SkipReason, type SourceRow } from './map-events.ts';
import type { ImportedClassification } from '../store/legacy-import.ts';
import { type Cell, legacyTime, parseJson, storableText, text } from './values.ts';

/** At most this many recommendations (api-contract.md, Classification). */
export const MAX_RECOMMENDATIONS = 5;

/** A classification row's mapping. */
export type ClassificationMapping = { classification: ImportedClassification; degraded: DegradedReason[] } | { skip: SkipReason };

function confidenceOf(cell: Cell): number | undefined {
  const value = (typeof cell === 'string' && cell.trim() !== '') || typeof cell === 'bigint' ? Number(cell) : cell;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** A JSON array's strings (at most five); undefined when it is not a JSON array. */
function recommendationsOf(cell: Cell): string[] | undefined {
  if (cell === null || cell === undefined || cell === '') return [];
  const parsed = parseJson(cell);
  if (!Array.isArray(parsed)) return undefined;
  return parsed.filter((r): r is string => typeof r === 'string' && r !== '').slice(0, MAX_RECOMMENDATIONS);
}

function metadataOf(cell: Cell): Record<string, unknown> {
  const parsed = parseJson(cell);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

const isCategory = (v: unknown): v is Category => typeof v === 'string' && (CATEGORIES as readonly string[]).includes(v);
const stringOr = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);

/** Seconds (the predecessors' `processing_time`) as whole milliseconds. */
function latencyOf(cell: Cell): number {
  const seconds = Number(cell ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.round(seconds * 1000), 2_147_483_647) : 0;
}

/** The parts a classification cannot go without: its alert, severity, confidence and time. */
function verdictOf(row: SourceRow): Pick<ImportedClassification, 'fingerprint' | 'severity' | 'confidence' | 'createdAt'> | { skip: SkipReason } {
  if (row.labels === null || row.labels === undefined) return { skip: 'unknown_alert' };
  const labels = labelsOf(row.labels, row.alertname);
  if (typeof labels === 'string') return { skip: labels };
  const severity = normaliseSeverityLabel(text(row.severity) || undefined);
  if (!severity) return { skip: 'bad_severity' };
  const confidence = confidenceOf(row.confidence);
  if (confidence === undefined) return { skip: 'bad_confidence' };
  const createdAt = legacyTime(row.created_at);
  if (createdAt === undefined) return { skip: 'bad_timestamp' };
  return { fingerprint: alertFingerprint(labels), severity, confidence, createdAt };
}

/**
 * One classification row with its alert's `labels` and `alertname` (joined by the reader; null when
 * the source holds no such alert). Columns: severity, confidence, reasoning, recommendations,
 * processing_time, metadata, created_at, and on PostgreSQL llm_model, llm_version.
 */
export function mapClassificationRow(row: SourceRow): ClassificationMapping {
  const core = verdictOf(row);
  if ('skip' in core) return core;
  const degraded: DegradedReason[] = [];
  const recommendations = recommendationsOf(row.recommendations);
  if (!recommendations) degraded.push('bad_recommendations_json');
  const metadata = metadataOf(row.metadata);
  const classification: ImportedClassification = {
    ...core,
    category: isCategory(metadata.category) ? metadata.category : 'other',
    reasoning: text(row.reasoning),
    recommendations: recommendations ?? [],
    model: stringOr(row.llm_model, stringOr(metadata.model, 'legacy')),
    promptVersion: stringOr(row.llm_version, 'legacy'),
    latencyMs: latencyOf(row.processing_time),
  };
  if (!storableText(classification.reasoning, classification.recommendations, classification.model, classification.promptVersion)) return { skip: 'bad_text' };
  return { classification, degraded };
}
