// The hot path of ingest: a hand-written check of the common, valid body (the v4 envelope or a bare
// array of well-formed alerts) that builds the batch directly, without zod, the text walk or the
// limit walk. It accepts only what the full validation (limits.ts, text.ts, schema.ts) accepts,
// with the same result; on anything unusual or doubtful it returns undefined, and the full
// validation runs and reports the errors. webhook.fast.test.ts compares the two on random bodies.
import { alertFingerprint } from '../core/fingerprint.ts';
import { type Instant, isZeroTime, parseRfc3339 } from '../core/time.ts';
import type { NormalizedAlert } from '../core/types.ts';
import type { AlertLimits, Shape } from './limits.ts';
import { FINGERPRINT, MAX_GENERATOR_URL, MAX_OPTIONAL_TEXT } from './schema.ts';

type Json = Record<string, unknown>;

/** What the fast path builds: the batch fields the parser returns. */
export interface FastBody {
  alerts: NormalizedAlert[];
  receiver: string | undefined;
  groupKey: string | undefined;
}

/** UTF-8 takes at most 3 bytes per UTF-16 unit: a string this short is within `limit` bytes. */
const surelyWithin = (text: string, limit: number): boolean => text.length * 3 <= limit;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's zero time as Alertmanager writes it for "no end yet", parsed once. */
const ZERO_TEXT = '0001-01-01T00:00:00Z';
const ZERO = parseRfc3339(ZERO_TEXT);

const BACKSLASH_U = Buffer.from('\\u');
const NUL_DIGITS = Buffer.from('0000').readUInt32BE(0);
const LOWER_A = 0x61;
const LOWER_D = 0x64;
const LOWER_F = 0x66;

/** `d8`..`df` in either case: the first two hex digits of a surrogate's `\uD800`-`\uDFFF` escape. */
function surrogateDigits(first: number, second: number): boolean {
  const lower = second | 0x20; // a letter's lower case; digits keep their value
  return (first | 0x20) === LOWER_D && (lower === 0x38 || lower === 0x39 || (lower >= LOWER_A && lower <= LOWER_F));
}

/** `\u0000`, or a `\uD800`-`\uDFFF` escape (even one of a pair: those take the full path). */
function badEscapeAt(bytes: Buffer, at: number): boolean {
  if (surrogateDigits(bytes[at + 2] ?? 0, bytes[at + 3] ?? 0)) return true;
  // `\\u` at the very end is an escaped backslash and a `u`: nothing to read, nothing bad.
  return at + 6 <= bytes.length && bytes.readUInt32BE(at + 2) === NUL_DIGITS;
}

/**
 * True when no string of the body can hold U+0000 or a lone surrogate. The body is valid UTF-8
 * (checked before), so both can only come from a `\u` escape; the common ones (Go writes `<`, `>`
 * and `&` as `\u003c`, `\u003e`, `\u0026`) are fine.
 */
export function cannotHoldBadText(body: Uint8Array): boolean {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  for (let at = bytes.indexOf(BACKSLASH_U); at >= 0; at = bytes.indexOf(BACKSLASH_U, at + 2)) {
    if (badEscapeAt(bytes, at)) return false;
  }
  return true;
}

/** Entries of a label or annotation map within every limit, all values strings; else undefined. */
function plainMap(map: Json, max: number, limits: AlertLimits): { count: number; bound: number } | undefined {
  let count = 0;
  let bound = 0;
  for (const name of Object.keys(map)) {
    const value = map[name];
    if (typeof value !== 'string') return undefined;
    if (!surelyWithin(name, limits.maxLabelNameBytes) || !surelyWithin(value, limits.maxLabelValueBytes)) return undefined;
    count++;
    bound += (name.length + value.length) * 3;
  }
  return count <= max ? { count, bound } : undefined;
}

function labelsOf(value: unknown, limits: AlertLimits): Record<string, string> | undefined {
  if (!isObject(value) || Object.hasOwn(value, '')) return undefined;
  const sizes = plainMap(value, limits.maxLabelsPerAlert, limits);
  if (!sizes || sizes.count === 0 || sizes.bound > limits.maxLabelBytesPerAlert) return undefined;
  // plainMap just checked every value is a string (no per-alert copy on the hot path).
  return value as Record<string, string>;
}

function annotationsOf(value: unknown, limits: AlertLimits): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isObject(value)) return undefined;
  // plainMap checks every value is a string (no per-alert copy on the hot path).
  return plainMap(value, limits.maxAnnotationsPerAlert, limits) ? (value as Record<string, string>) : undefined;
}

function instantOf(value: unknown): Instant | undefined {
  if (value === ZERO_TEXT && ZERO) return ZERO;
  return typeof value === 'string' ? (parseRfc3339(value) ?? undefined) : undefined;
}

/** `endsAt` as stored: null while firing (absent or the zero time); undefined when invalid. */
function endOf(value: unknown, start: Instant): string | null | undefined {
  if (value === undefined) return null;
  const end = instantOf(value);
  if (!end) return undefined;
  if (isZeroTime(end)) return null;
  return end.iso < start.iso ? undefined : end.iso;
}

function optionalString(value: unknown, valid: (s: string) => boolean): string | null | undefined {
  if (value === undefined) return null;
  return typeof value === 'string' && valid(value) ? value : undefined;
}

const fingerprintOk = (s: string): boolean => FINGERPRINT.test(s);
const generatorOk = (s: string): boolean => s.length <= MAX_GENERATOR_URL;

/** The required part of an alert: status, labels, annotations (default {}) and startsAt. */
function coreOf(alert: Json, limits: AlertLimits): (Pick<NormalizedAlert, 'status' | 'labels' | 'annotations'> & { start: Instant }) | undefined {
  const { status } = alert;
  if (status !== 'firing' && status !== 'resolved') return undefined;
  const labels = labelsOf(alert.labels, limits);
  const annotations = annotationsOf(alert.annotations, limits);
  const start = instantOf(alert.startsAt);
  return labels && annotations && start ? { status, labels, annotations, start } : undefined;
}

/** One alert normalised, or undefined when anything about it is not plainly valid. */
function fastAlert(alert: unknown, limits: AlertLimits): NormalizedAlert | undefined {
  if (!isObject(alert)) return undefined;
  const core = coreOf(alert, limits);
  if (!core) return undefined;
  const a = alert;
  const endsAt = endOf(a.endsAt, core.start);
  const generatorURL = optionalString(a.generatorURL, generatorOk);
  const fingerprint = optionalString(a.fingerprint, fingerprintOk);
  if (endsAt === undefined || generatorURL === undefined || fingerprint === undefined) return undefined;
  const { status, labels, annotations, start } = core;
  return { fingerprint: fingerprint ?? alertFingerprint(labels), status, labels, annotations, startsAt: start.iso, endsAt, generatorURL: generatorURL ?? '' };
}

const optionalText = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= MAX_OPTIONAL_TEXT ? value : undefined);

function listOf(shape: Shape, json: unknown): { list: unknown[]; envelope: Json | undefined } | undefined {
  if (shape === 'array' && Array.isArray(json)) return { list: json, envelope: undefined };
  if (shape === 'envelope' && isObject(json) && Array.isArray(json.alerts)) return { list: json.alerts, envelope: json };
  return undefined;
}

/**
 * The batch of a plainly valid body, or undefined (then the full validation decides). The caller
 * has checked {@link cannotHoldBadText} on the body's bytes.
 */
export function fastBody(shape: Shape, json: unknown, limits: AlertLimits): FastBody | undefined {
  const found = listOf(shape, json);
  if (!found || found.list.length > limits.maxAlerts) return undefined;
  const alerts: NormalizedAlert[] = [];
  for (const item of found.list) {
    const alert = fastAlert(item, limits);
    if (!alert) return undefined;
    alerts.push(alert);
  }
  return { alerts, receiver: optionalText(found.envelope?.receiver), groupKey: optionalText(found.envelope?.groupKey) };
}
