// Formatting for the dashboard: times in the viewer's own zone and locale (Intl.DateTimeFormat),
// relative ages ("3 min ago", Intl.RelativeTimeFormat), numbers, percentages and durations.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortTimeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', hour: '2-digit' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const numberFormat = new Intl.NumberFormat();
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

const UNITS = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** Parses an RFC 3339 string into a Date, or null when absent or invalid. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The full date and time in the viewer's zone, or an em dash. */
export function dateTime(value) {
  const d = toDate(value);
  return d ? dateTimeFormat.format(d) : '—';
}

/** A short clock time (chart axes). */
export function shortTime(value) {
  const d = toDate(value);
  return d ? shortTimeFormat.format(d) : '';
}

/** A day and hour (7-day chart axes). */
export function dayHour(value) {
  const d = toDate(value);
  return d ? dayFormat.format(d) : '';
}

/** "3 min ago" / "in 2 h", relative to now. */
export function relative(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '';
  const seconds = (d.getTime() - now) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 10) return relativeFormat.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (abs >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(0, 'second');
}

/** An integer or decimal in the viewer's locale; an em dash for missing values. */
export function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? numberFormat.format(value) : '—';
}

/** A fraction 0..1 as a percentage. */
export function percent(value) {
  return typeof value === 'number' && Number.isFinite(value) ? percentFormat.format(value) : '—';
}

/** Milliseconds as "120 ms" or "1.4 s". */
export function millis(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value < 1000) return `${numberFormat.format(Math.round(value))} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

/** Seconds as a compact duration: "45 s", "12 min", "3 h 20 min", "2 d 4 h". */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Seconds between two RFC 3339 times, or null. */
export function secondsBetween(from, to) {
  const a = toDate(from);
  const b = toDate(to);
  return a && b ? (b.getTime() - a.getTime()) / 1000 : null;
}

/** Cuts a text to `max` characters with an ellipsis. */
export function truncate(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
