// Size limits of a webhook body checked on the parsed JSON before zod walks it: counting keys and
// bytes is cheap, while validating 300k labels entry by entry takes seconds (and zod's issue list
// overflowed the stack). Everything here names the offending field.
import type { TextIssue } from './text.ts';

/** The per-alert limits (config `webhook`). */
export interface AlertLimits {
  maxAlerts: number;
  maxLabelValueBytes: number;
  maxLabelsPerAlert: number;
  maxAnnotationsPerAlert: number;
  maxLabelNameBytes: number;
  maxLabelBytesPerAlert: number;
}

/** Where a body keeps its alerts: the v4 envelope, a bare array, or one flat alert. */
export type Shape = 'envelope' | 'array' | 'flat';

type Issue = TextIssue;
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

interface MapCheck {
  kind: 'label' | 'annotation';
  map: Json;
  path: PropertyKey[];
  /** Entries the flat shape adds (its `alertname` beside `labels`). */
  extra?: { count: number; bytes: number };
}

function entryProblem(kind: MapCheck['kind'], size: { name: number; value: number }, limits: AlertLimits): string | undefined {
  if (size.name > limits.maxLabelNameBytes) return `${kind} name longer than ${limits.maxLabelNameBytes} bytes`;
  if (size.value > limits.maxLabelValueBytes) return `${kind} value longer than ${limits.maxLabelValueBytes} bytes`;
  return undefined;
}

function countIssue(check: MapCheck, names: readonly string[], limits: AlertLimits): Issue | undefined {
  const count = names.length + (check.extra?.count ?? 0);
  const max = check.kind === 'label' ? limits.maxLabelsPerAlert : limits.maxAnnotationsPerAlert;
  return count > max ? { path: check.path, message: `more than ${max} ${check.kind}s` } : undefined;
}

function mapIssue(check: MapCheck, limits: AlertLimits): Issue | undefined {
  const names = Object.keys(check.map);
  const tooMany = countIssue(check, names, limits);
  if (tooMany) return tooMany;
  let total = check.extra?.bytes ?? 0;
  for (const name of names) {
    const value = check.map[name];
    const size = { name: bytes(name), value: typeof value === 'string' ? bytes(value) : 0 };
    const problem = entryProblem(check.kind, size, limits);
    if (problem) return { path: [...check.path, name], message: problem };
    total += size.name + size.value;
  }
  if (check.kind === 'label' && total > limits.maxLabelBytesPerAlert) {
    return { path: check.path, message: `labels larger than ${limits.maxLabelBytesPerAlert} bytes in total (names and values)` };
  }
  return undefined;
}

/** The label (and annotation) maps of one alert, as the schema will read them. */
function mapsOf(alert: Json, path: PropertyKey[], flat: boolean): MapCheck[] {
  const checks: MapCheck[] = [];
  const { labels, annotations, alertname } = alert;
  if (isObject(labels)) {
    const adds = flat && typeof alertname === 'string' && !Object.hasOwn(labels, 'alertname');
    const extra = adds ? { count: 1, bytes: bytes('alertname') + bytes(alertname) } : undefined;
    checks.push({ kind: 'label', map: labels, path: [...path, 'labels'], ...(extra ? { extra } : {}) });
  }
  if (isObject(annotations)) checks.push({ kind: 'annotation', map: annotations, path: [...path, 'annotations'] });
  return checks;
}

function alertsOf(shape: Shape, body: unknown): { list: unknown[]; path: PropertyKey[] } {
  if (shape === 'array' && Array.isArray(body)) return { list: body, path: [] };
  if (shape === 'flat') return { list: [body], path: [] };
  const alerts = isObject(body) ? body.alerts : undefined;
  return { list: Array.isArray(alerts) ? alerts : [], path: ['alerts'] };
}

/** The first limit a body breaks (alerts per request, then per alert), or an empty list. */
export function limitIssues(shape: Shape, body: unknown, limits: AlertLimits): Issue[] {
  const { list, path } = alertsOf(shape, body);
  if (list.length > limits.maxAlerts) return [{ path, message: `at most ${limits.maxAlerts} alerts per request` }];
  for (const [i, alert] of list.entries()) {
    if (!isObject(alert)) continue;
    const at = shape === 'flat' ? [] : [...path, i];
    for (const check of mapsOf(alert, at, shape === 'flat')) {
      const issue = mapIssue(check, limits);
      if (issue) return [issue];
    }
  }
  return [];
}
