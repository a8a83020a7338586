// The package version, read once from package.json (one level above src/ and dist/).
import { readFileSync } from 'node:fs';
import { isRecord } from './core/guards.ts';

const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** The service version. */
export const VERSION: string = isRecord(pkg) && typeof pkg.version === 'string' ? pkg.version : 'unknown';
