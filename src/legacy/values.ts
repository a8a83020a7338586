// Reading the predecessors' column values: their timestamps (RFC 3339, SQLite's `YYYY-MM-DD HH:MM:SS`
// without a zone, Unix milliseconds), label maps stored as JSON text, and the ingest text rule
// (no NUL, no lone surrogate). Each reader returns undefined for a value it cannot take, and the
// row mapping turns that into a skip reason.
import { isZeroTime, parseRfc3339 } from '../core/time.ts';
import type { StringMap } from '../core/types.ts';
import { textIssues, textProblem } from '../ingest/text.ts';

/** A column value as a driver returns it. */
export type Cell = string | number | bigint | boolean | null | undefined | Uint8Array;

const NO_ZONE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
const SPACE_ZONE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)([+-]\d{2}(?::\d{2})?|Z)?$/;

/** `+00` -> `+00:00`, nothing -> `Z`. */
function zone(z: string | undefined): string {
  if (!z) return 'Z';
  return /^[+-]\d{2}$/.test(z) ? `${z}:00` : z;
}

/** Unix milliseconds as RFC 3339 with microseconds, or undefined outside years 0001..9999. */
function fromMillis(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms)) return undefined;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  return parseRfc3339(date.toISOString())?.iso;
}

/**
 * A legacy timestamp as UTC RFC 3339 with six fractional digits: RFC 3339 with any offset, a
 * zoneless ISO or SQLite `CURRENT_TIMESTAMP` text (the predecessors wrote UTC), or Unix
 * milliseconds (the Go lite store). Undefined when absent, unreadable or outside years 0001..9999.
 */
export function legacyTime(value: Cell): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return fromMillis(Number(value));
  return typeof value === 'string' && value !== '' ? timeText(value.trim()) : undefined;
}

function timeText(text: string): string | undefined {
  if (NO_ZONE.test(text)) return parseRfc3339(`${text.replace(' ', 'T')}Z`)?.iso;
  const spaced = SPACE_ZONE.exec(text);
  if (spaced) return parseRfc3339(`${spaced[1]}T${spaced[2]}${zone(spaced[3])}`)?.iso;
  if (/^\d{10,16}$/.test(text)) return fromMillis(Number(text));
  return parseRfc3339(text)?.iso;
}

/** An end time: undefined when unreadable, null for "no end" (absent, empty, Go's zero time). */
export function legacyEnd(value: Cell): string | null | undefined {
  if (value === null || value === undefined || value === '' || value === 0 || value === 0n || value === '0') return null;
  const iso = legacyTime(value);
  if (iso === undefined) return undefined;
  const instant = parseRfc3339(iso);
  return instant && isZeroTime(instant) ? null : iso;
}

/** JSON text (or an already parsed value from a jsonb column) parsed; undefined when it does not parse. */
export function parseJson(value: Cell | object): unknown {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object of string values, rebuilt with Object.fromEntries (`__proto__` stays a key); else undefined. */
export function stringMap(value: unknown): StringMap | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const strings = entries.filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '');
  return strings.length === entries.length ? Object.fromEntries(strings) : undefined;
}

/**
 * True when JSON text can only parse into strings that follow the ingest text rule: no `\u`
 * escape (which could spell U+0000 or a lone surrogate) and no such character itself. Lets the
 * import skip walking most parsed values.
 */
export function cleanJsonText(json: Cell | object): boolean {
  return typeof json === 'string' && !json.includes('\\u') && textProblem(json) === undefined;
}

/** True when every string (names included) follows the ingest text rule. */
export function storableText(...values: unknown[]): boolean {
  return values.every((v) => textIssues(v, 1).length === 0);
}

/** A text column, or '' when absent. */
export const text = (value: Cell): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
