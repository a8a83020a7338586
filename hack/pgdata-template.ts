// Image build step: packs a migrated, empty PGlite data directory into
// dist/store/pgdata-template.tar.gz, which the service unpacks into a fresh data volume instead
// of running initdb (src/store/pglite-template.ts). Usage: node hack/pgdata-template.ts DIR
// where DIR was just migrated with `node dist/cli.js migrate`.
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: node hack/pgdata-template.ts DATA_DIR');
const pg = await PGlite.create({ dataDir });
const blob = await pg.dumpDataDir('gzip');
await pg.close();
const out = new URL('../dist/store/pgdata-template.tar.gz', import.meta.url);
writeFileSync(out, Buffer.from(await blob.arrayBuffer()));
console.log(`pgdata-template: ${out.pathname} (${blob.size} bytes)`);
