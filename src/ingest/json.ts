// Strict decoding of a request body: UTF-8 with `fatal` (invalid bytes are an error, never U+FFFD),
// a nesting-depth scan before JSON.parse, and parse errors reported without echoing the input.
import { validationError } from '../core/errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in a JSON text, found without parsing it (strings are
 * skipped, so brackets inside them do not count). Stops early once `limit` is exceeded.
 */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < bytes.length && max <= limit; i++) {
    const c = bytes[i];
    if (c === QUOTE) i = endOfString(bytes, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) max = Math.max(max, ++depth);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return max;
}

/** Index of the quote closing the string that opens at `start`. */
function endOfString(bytes: Uint8Array, start: number): number {
  for (let i = start + 1; i < bytes.length; i++) {
    if (bytes[i] === BACKSLASH) i++;
    else if (bytes[i] === QUOTE) return i;
  }
  return bytes.length;
}

/** Decodes and parses a JSON body, or throws a VALIDATION_ERROR naming the problem. */
export function parseJsonBody(body: Uint8Array, maxDepth: number): unknown {
  if (body.length === 0) throw validationError([{ path: '', message: 'request body is empty' }]);
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw validationError([{ path: '', message: 'request body is not valid UTF-8' }]);
  }
  if (jsonDepth(body, maxDepth) > maxDepth) {
    throw validationError([{ path: '', message: `JSON nesting deeper than ${maxDepth} levels` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const detail = (err as Error).message.replace(/"[^"]{40,}"/g, '"…"').slice(0, 160);
    throw validationError([{ path: '', message: `request body is not valid JSON: ${detail}` }]);
  }
}
