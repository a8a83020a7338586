// Narrowing of values from outside (JSON, YAML, library errors) without casts.

/** A non-null, non-array object, whose members are still unknown. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
