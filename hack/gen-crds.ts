// `make manifests`: writes crds/*.yaml and crds/Kustomization from the zod schemas in src/operator/crd/,
// the same CRDs into the Helm chart's charts/alert-history/crds/ (only the YAML: Helm installs every
// file there), and copies the Grafana dashboard and the PrometheusRule rules file from deploy/ into
// charts/alert-history/files/ when they exist (the chart reads them with .Files.Get).
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { crdDocuments, KUSTOMIZATION_FILE, renderCrd, renderKustomization } from '../src/operator/crd/generate.ts';
import { CHART_COPIES } from '../src/operator/crd/chart-files.ts';

const name = process.argv[2] ?? 'crds';
const root = new URL('../', import.meta.url);
const dir = new URL(`${name}/`, root);
const chartCrds = new URL('charts/alert-history/crds/', root);
mkdirSync(dir, { recursive: true });
mkdirSync(chartCrds, { recursive: true });
for (const { file, object } of crdDocuments()) {
  writeFileSync(new URL(file, dir), renderCrd(object));
  writeFileSync(new URL(file, chartCrds), renderCrd(object));
  process.stdout.write(`wrote ${name}/${file} and charts/alert-history/crds/${file}\n`);
}
// The old name: `kubectl apply -f` tried to apply it, and kustomize refuses two kustomization files.
rmSync(new URL('kustomization.yaml', dir), { force: true });
writeFileSync(new URL(KUSTOMIZATION_FILE, dir), renderKustomization());
process.stdout.write(`wrote ${name}/${KUSTOMIZATION_FILE}\n`);
for (const { source, copy } of CHART_COPIES) {
  if (!existsSync(new URL(source, root))) {
    rmSync(new URL(copy, root), { force: true });
    process.stdout.write(`skipped ${copy}: no ${source}\n`);
    continue;
  }
  mkdirSync(new URL('.', new URL(copy, root)), { recursive: true });
  copyFileSync(new URL(source, root), new URL(copy, root));
  process.stdout.write(`copied ${source} to ${copy}\n`);
}
