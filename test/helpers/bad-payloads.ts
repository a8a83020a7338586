// The hostile fixtures in test/fixtures/bad-payloads and the field path each rejection must name
// ('' = the body as a whole). Shared by the parser's unit test and the HTTP integration test.
import { readdirSync } from 'node:fs';

/** File -> expected path prefix of the first failing field. */
export const BAD_PAYLOAD_PATHS: Readonly<Record<string, string>> = {
  'empty-body.txt': '',
  'not-json.txt': '',
  'truncated-json.txt': '',
  'top-level-scalar.json': '',
  'alerts-missing.json': 'alerts',
  'alerts-not-array.json': 'alerts',
  'alert-without-labels.json': 'alerts[0].labels',
  'labels-non-string-values.json': 'alerts[0].labels',
  'label-name-empty.json': 'alerts[0].labels',
  'status-invalid.json': 'alerts[0].status',
  'timestamp-garbage.json': 'alerts[0].startsAt',
  'timestamp-out-of-range.json': 'alerts[0].startsAt',
  'timestamp-missing-zone.json': 'alerts[0].startsAt',
  'timestamp-not-string.json': 'alerts[0].startsAt',
  'ends-before-starts.json': 'alerts[0].endsAt',
  'nested-1000-levels.json': '',
  'invalid-utf8.bin': '',
};

/** Every rejected fixture on disk (the recipe file and the valid proto-pollution body excluded). */
export function rejectedFixtureFiles(): string[] {
  return readdirSync(new URL('../fixtures/bad-payloads/', import.meta.url))
    .filter((f) => !f.endsWith('.md') && f !== 'proto-pollution-keys.json')
    .sort();
}
