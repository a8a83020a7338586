// Strict decoding of a request body: UTF-8 with `fatal` (invalid bytes are an error, never U+FFFD),
// a structural scan of depth and member counts before JSON.parse, and parse errors reported
// without echoing the input.
import { validationError } from '../core/errors.ts';
import { formatPath } from './path.ts';
import { type ScanLimits, scanJson } from './scan.ts';
import { asError } from '../core/startup-error.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes and parses a JSON body, or throws a VALIDATION_ERROR naming the problem. */
export function parseJsonBody(body: Uint8Array, limits: ScanLimits): unknown {
  if (body.length === 0) throw validationError([{ path: '', message: 'request body is empty' }]);
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw validationError([{ path: '', message: 'request body is not valid UTF-8' }]);
  }
  const issue = scanJson(body, limits);
  if (issue) throw validationError([{ path: formatPath(issue.path), message: issue.message }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const detail = asError(err)
      .message.replace(/"[^"]{40,}"/g, '"…"')
      .slice(0, 160);
    throw validationError([{ path: '', message: `request body is not valid JSON: ${detail}` }]);
  }
}
