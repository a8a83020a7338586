// jsonb columns read back from the database are parsed here, never cast: the row types say
// `unknown` (schema.ts) and these schemas make them domain types. Only reads parse (history,
// classification lookups, dashboard, delivery claims); the ingest path writes and never reads
// jsonb back. A value that does not parse (a row written by hand or by a version with another
// shape) fails the read with an INTERNAL_ERROR naming the table, column and row, not a TypeError
// somewhere later.
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { StringMap } from '../core/types.ts';

export { classifiedAlertSchema } from '../core/classification-schema.ts';

function isStringMap(value: unknown): value is StringMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value)) if (typeof v !== 'string') return false;
  return true;
}

/**
 * A label or annotation map. Checked in place, not rebuilt: z.record would drop a `__proto__`
 * key, which JSON.parse (and so the drivers) keep as an ordinary own key.
 */
export const stringMapColumn = z.custom<StringMap>(isStringMap, 'expected an object of strings');

/** classifications.recommendations. */
export const recommendationsColumn = z.array(z.string());

/** Which value failed: `table.column` (no column: the row as a whole) and the row's key. */
export interface ColumnRef {
  table: string;
  column?: string;
  /** The row's key (id or fingerprint). */
  key: string | number;
}

/** The error of a stored value that does not match its schema. */
export function storedValueError(ref: ColumnRef, error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  const what = ref.column ? `${ref.table}.${ref.column} of row` : `${ref.table} row`;
  return new AppError('INTERNAL_ERROR', `${what} ${ref.key} does not match its schema${where}: ${issue?.message ?? 'invalid'}`, {
    details: { table: ref.table, column: ref.column ?? null, key: ref.key },
    cause: error,
    retryable: false,
  });
}

/** Parses a jsonb value read back from `ref`; throws {@link storedValueError} when it does not match. */
export function parseColumn<T>(schema: z.ZodType<T>, value: unknown, ref: ColumnRef): T {
  const result = schema.safeParse(value);
  if (!result.success) throw storedValueError(ref, result.error);
  return result.data;
}
