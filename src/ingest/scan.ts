// Structural limits of a JSON text checked on its bytes, before JSON.parse builds anything: the
// nesting depth, the members of each object (labels, annotations, any other) and the length of
// the alerts array. A 4 MB body of 300k labels is rejected after one pass over its bytes; parsing
// it first cost ~200 ms and a large garbage collection. Strings are skipped (brackets, commas and
// quotes inside them do not count). Invalid JSON is left for JSON.parse to report.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SHOWN_KEY_BYTES = 512;

/** The limits the scan enforces (config `webhook`). */
export interface ScanLimits {
  maxDepth: number;
  maxAlerts: number;
  maxLabelsPerAlert: number;
  maxAnnotationsPerAlert: number;
}

/** A broken limit: where (object keys and array indices) and what. */
export interface ScanIssue {
  path: PropertyKey[];
  message: string;
}

interface Range {
  start: number;
  end: number;
}

interface Level {
  object: boolean;
  /** Commas seen directly in this container: it has at least `commas + 1` members. */
  commas: number;
  /** Where the container sits in its parent: the key's bytes or the array index. */
  at: Range | number | undefined;
  /** The bytes of the current key (objects). */
  key: Range | undefined;
  expectKey: boolean;
  cap: number;
  message: string;
}

const lenient = new TextDecoder('utf-8');
const encoded = (name: string): Uint8Array => new TextEncoder().encode(JSON.stringify(name));
const LABELS = encoded('labels');
const ANNOTATIONS = encoded('annotations');
const ALERTS = encoded('alerts');

function keyIs(bytes: Uint8Array, key: Range | undefined, name: Uint8Array): boolean {
  if (!key || key.end - key.start + 1 !== name.length) return false;
  return name.every((b, i) => bytes[key.start + i] === b);
}

/** Index of the quote closing the string that opens at `start`. */
function endOfString(bytes: Uint8Array, start: number): number {
  for (let i = start + 1; i < bytes.length; i++) {
    if (bytes[i] === BACKSLASH) i++;
    else if (bytes[i] === QUOTE) return i;
  }
  return bytes.length;
}

function capOf(bytes: Uint8Array, parent: Level | undefined, object: boolean, limits: ScanLimits): Pick<Level, 'cap' | 'message'> {
  const key = parent?.object ? parent.key : undefined;
  if (object && keyIs(bytes, key, LABELS)) return { cap: limits.maxLabelsPerAlert, message: `more than ${limits.maxLabelsPerAlert} labels` };
  if (object && keyIs(bytes, key, ANNOTATIONS))
    return { cap: limits.maxAnnotationsPerAlert, message: `more than ${limits.maxAnnotationsPerAlert} annotations` };
  if (object) {
    const cap = Math.max(limits.maxLabelsPerAlert, limits.maxAnnotationsPerAlert);
    return { cap, message: `more than ${cap} members` };
  }
  const alerts = parent === undefined || keyIs(bytes, key, ALERTS);
  return alerts ? { cap: limits.maxAlerts, message: `at most ${limits.maxAlerts} alerts per request` } : { cap: Infinity, message: '' };
}

function open(bytes: Uint8Array, stack: Level[], object: boolean, limits: ScanLimits): void {
  const parent = stack.at(-1);
  const at = parent === undefined ? undefined : parent.object ? parent.key : parent.commas;
  stack.push({ object, commas: 0, at, key: undefined, expectKey: object, ...capOf(bytes, parent, object, limits) });
}

function keyText(bytes: Uint8Array, range: Range): string {
  const end = Math.min(range.end + 1, range.start + SHOWN_KEY_BYTES);
  const text = lenient.decode(bytes.subarray(range.start, end));
  try {
    return JSON.parse(text) as string;
  } catch {
    return `${text.slice(1, 65)}…`;
  }
}

function pathOf(bytes: Uint8Array, stack: readonly Level[]): PropertyKey[] {
  return stack.slice(1).map((level) => (typeof level.at === 'number' || level.at === undefined ? (level.at ?? '') : keyText(bytes, level.at)));
}

function onComma(bytes: Uint8Array, stack: readonly Level[]): ScanIssue | undefined {
  const level = stack.at(-1);
  if (!level) return undefined;
  level.commas++;
  level.expectKey = level.object;
  return level.commas >= level.cap ? { path: pathOf(bytes, stack), message: level.message } : undefined;
}

function onString(stack: readonly Level[], range: Range): void {
  const level = stack.at(-1);
  if (!level?.expectKey) return;
  level.key = range;
  level.expectKey = false;
}

/** The first structural limit a JSON text breaks, found in one pass over its bytes. */
export function scanJson(bytes: Uint8Array, limits: ScanLimits): ScanIssue | undefined {
  const stack: Level[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      const end = endOfString(bytes, i);
      onString(stack, { start: i, end });
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length >= limits.maxDepth) return { path: [], message: `JSON nesting deeper than ${limits.maxDepth} levels` };
      open(bytes, stack, c === OPEN_BRACE, limits);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA) {
      const issue = onComma(bytes, stack);
      if (issue) return issue;
    }
  }
  return undefined;
}
