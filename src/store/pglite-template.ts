// A migrated, empty embedded data directory packed at image build time (hack/pgdata-template.ts).
// PGlite's initdb on a fresh directory takes ~4 s and peaks near 1.1 GB of RSS (WASM memory that
// never shrinks); unpacking the template takes ~1 s and peaks near 350 MB (docs/benchmarks.md).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the image puts the template: beside this module in dist/store/. */
export const TEMPLATE_URL = new URL('./pgdata-template.tar.gz', import.meta.url);

/** The template to start a data directory from, only when that directory was never initialised. */
export function freshDataDirTemplate(dataDir: string | undefined, template: URL = TEMPLATE_URL): Blob | undefined {
  if (!dataDir || existsSync(join(dataDir, 'PG_VERSION')) || !existsSync(template)) return undefined;
  return new Blob([readFileSync(template)]);
}
