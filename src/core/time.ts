// RFC 3339 timestamps as Alertmanager writes them (Go's format: 0-9 fractional digits, `Z` or a
// numeric offset). JS Date keeps milliseconds and PostgreSQL microseconds, so timestamps are
// normalised to UTC with exactly six fractional digits; that string is the dedup key's form.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO_TIME_MS = new Date(0).setUTCFullYear(1, 0, 1);
/** The last millisecond of year 9999: RFC 3339 and PostgreSQL's timestamptz text stop there. */
const MAX_TIME_MS = new Date(0).setUTCFullYear(9999, 11, 31) + 86_400_000 - 1;

/** True when epoch milliseconds fall in years 0001..9999 UTC (the range every layer can store). */
export function inStorableRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= ZERO_TIME_MS && ms <= MAX_TIME_MS;
}

/** A parsed instant: epoch milliseconds plus the normalised UTC text with microseconds. */
export interface Instant {
  ms: number;
  iso: string;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function inRange(f: Fields): boolean {
  return f.year >= 1 && f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= daysIn(f.year, f.month) && f.hour <= 23 && f.minute <= 59 && f.second <= 59;
}

function offsetMinutes(sign: string | undefined, hh: string | undefined, mm: string | undefined): number | null {
  if (sign === undefined) return 0;
  const h = Number(hh);
  const m = Number(mm);
  if (h > 23 || m > 59) return null;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** Formats epoch milliseconds plus extra microseconds as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
function formatMicros(ms: number, extraMicros = 0): string {
  const base = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ for years 1..9999
  return `${base.slice(0, 23)}${String(extraMicros).padStart(3, '0')}Z`;
}

/**
 * Parses an RFC 3339 timestamp; returns null for anything else (no offset, garbage, or an instant
 * outside years 0001..9999 once the offset is applied: `0001-01-01T00:30:00+01:00` is year 0 UTC).
 */
export function parseRfc3339(text: string): Instant | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const fields: Fields = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
  };
  const offset = offsetMinutes(sign, oh, om);
  if (!inRange(fields) || offset === null) return null;
  const digits = (frac ?? '').padEnd(9, '0');
  const wholeMs = Number(digits.slice(0, 3));
  const extraMicros = Number(digits.slice(3, 6));
  const utc = new Date(0);
  utc.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  utc.setUTCHours(fields.hour, fields.minute - offset, fields.second, wholeMs);
  const ms = utc.getTime();
  if (!inStorableRange(ms)) return null;
  return { ms, iso: formatMicros(ms, extraMicros) };
}

/** True for Go's zero time (`0001-01-01T00:00:00Z`), which Alertmanager sends as "no end yet". */
export function isZeroTime(instant: Instant): boolean {
  return instant.ms <= ZERO_TIME_MS;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a relative duration such as `90s`, `15m`, `24h`, `7d`, `2w` into milliseconds. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
}

/**
 * A time query parameter: RFC 3339 (any fractional precision) or a relative duration meaning
 * "that long before now" (`24h`, `7d`). Null when unreadable or before year 0001 (`99999999d`).
 */
export function parseTimeParam(text: string, nowMs: number): Instant | null {
  const duration = parseDuration(text);
  if (duration !== null) {
    const ms = Math.round(nowMs - duration);
    return inStorableRange(ms) ? { ms, iso: formatMicros(ms) } : null;
  }
  return parseRfc3339(text);
}

/** Turns PostgreSQL's UTC text form (`2026-11-20 09:14:27.123456+00`) into RFC 3339. */
export function pgTimestampToIso(text: string): string {
  return text.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z');
}
