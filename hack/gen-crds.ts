// `make manifests`: writes crds/*.yaml and crds/Kustomization from the zod schemas in src/operator/crd/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { crdDocuments, KUSTOMIZATION_FILE, renderCrd, renderKustomization } from '../src/operator/crd/generate.ts';

const name = process.argv[2] ?? 'crds';
const dir = new URL(`../${name}/`, import.meta.url);
mkdirSync(dir, { recursive: true });
for (const { file, object } of crdDocuments()) {
  writeFileSync(new URL(file, dir), renderCrd(object));
  process.stdout.write(`wrote ${name}/${file}\n`);
}
// The old name: `kubectl apply -f` tried to apply it, and kustomize refuses two kustomization files.
rmSync(new URL('kustomization.yaml', dir), { force: true });
writeFileSync(new URL(KUSTOMIZATION_FILE, dir), renderKustomization());
process.stdout.write(`wrote ${name}/${KUSTOMIZATION_FILE}\n`);
