// Packs a migrated, empty PGlite data directory into a template the service unpacks into a fresh
// data directory instead of running initdb (src/store/pglite-template.ts): the image build writes
// dist/store/pgdata-template.tar.gz, `make run` src/store/pgdata-template.tar.gz (gitignored).
// Usage: node hack/pgdata-template.ts DIR [OUT] where DIR was just migrated (`alert-history migrate`).
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: node hack/pgdata-template.ts DATA_DIR [OUT]');
const pg = await PGlite.create({ dataDir });
const blob = await pg.dumpDataDir('gzip');
await pg.close();
const out = process.argv[3] ? new URL(process.argv[3], `file://${process.cwd()}/`) : new URL('../dist/store/pgdata-template.tar.gz', import.meta.url);
writeFileSync(out, Buffer.from(await blob.arrayBuffer()));
console.log(`pgdata-template: ${out.pathname} (${blob.size} bytes)`);
