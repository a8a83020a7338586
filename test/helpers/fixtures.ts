// Reads the test fixtures copied from the shared folder into test/fixtures.
import { readFileSync } from 'node:fs';

const root = new URL('../fixtures/', import.meta.url);

/** The raw bytes of a fixture. */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, root));
}

/** A fixture parsed as JSON. */
export function fixtureJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixture(name).toString('utf8')) as T;
}
