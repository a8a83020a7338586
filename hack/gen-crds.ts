// `make manifests`: writes crds/*.yaml from the zod schemas in src/operator/crd/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { crdDocuments, renderCrd, renderKustomization } from '../src/operator/crd/generate.ts';

const dir = new URL(`../${process.argv[2] ?? 'crds'}/`, import.meta.url);
mkdirSync(dir, { recursive: true });
for (const { file, object } of crdDocuments()) {
  writeFileSync(new URL(file, dir), renderCrd(object));
  process.stdout.write(`wrote ${process.argv[2] ?? 'crds'}/${file}\n`);
}
writeFileSync(new URL('kustomization.yaml', dir), renderKustomization());
process.stdout.write(`wrote ${process.argv[2] ?? 'crds'}/kustomization.yaml\n`);
