import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registeredTypes } from '../../publish/registry.ts';
import { crdDocuments, KUSTOMIZATION_FILE, renderCrd, renderKustomization } from './generate.ts';
import { publishingTargetSpec } from './publishing-target.ts';
import { CHART_COPIES } from './chart-files.ts';

const ROOT = new URL('../../../', import.meta.url);

describe('generated CRDs', () => {
  it('match crds/ (run `make manifests` after changing src/operator/crd)', () => {
    for (const { file, object } of crdDocuments()) {
      expect(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8'), file).toBe(renderCrd(object));
    }
    expect(readFileSync(new URL(`../../../crds/${KUSTOMIZATION_FILE}`, import.meta.url), 'utf8')).toBe(renderKustomization());
  });

  it("match the Helm chart's crds/, which holds nothing else (run `make manifests`)", () => {
    for (const { file, object } of crdDocuments()) {
      expect(readFileSync(new URL(`charts/alert-history/crds/${file}`, ROOT), 'utf8'), file).toBe(renderCrd(object));
    }
    expect(readdirSync(new URL('charts/alert-history/crds/', ROOT)).sort()).toEqual(
      crdDocuments()
        .map((d) => d.file)
        .sort(),
    );
  });

  it('copies of deploy/ in the chart match their sources (run `make manifests`)', () => {
    // A copy may be missing (the chart then renders no dashboard / an empty rule group), so a new
    // file under deploy/ does not break the tree before `make manifests` runs; a stale one does.
    for (const { source, copy } of CHART_COPIES) {
      const to = new URL(copy, ROOT);
      if (!existsSync(to)) continue;
      expect(existsSync(new URL(source, ROOT)), `${copy} without ${source}`).toBe(true);
      expect(readFileSync(to, 'utf8'), `${copy} is stale against ${source}`).toBe(readFileSync(new URL(source, ROOT), 'utf8'));
    }
  });

  it('leave nothing in crds/ that `kubectl apply -f crds/` would send but the CRDs', () => {
    const applied = readdirSync(new URL('../../../crds/', import.meta.url)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(applied.sort()).toEqual(
      crdDocuments()
        .map((d) => d.file)
        .sort(),
    );
  });

  it('give EnrichmentPolicy the short name epol (ep is core Endpoints) and PublishingTarget pt', () => {
    const shortNames = crdDocuments().map(({ object }) => (object.spec as { names: { kind: string; shortNames: string[] } }).names);
    expect(Object.fromEntries(shortNames.map((n) => [n.kind, n.shortNames]))).toEqual({ PublishingTarget: ['pt'], EnrichmentPolicy: ['epol'] });
  });

  it('offer exactly the publisher registry as the type enum', () => {
    expect([...publishingTargetSpec.shape.type.options].sort()).toEqual(registeredTypes());
  });

  it('are structural: no additionalProperties false, every property typed', () => {
    const walk = (node: unknown, path: string): string[] => {
      if (typeof node !== 'object' || node === null) return [];
      const n = node as Record<string, unknown>;
      const here = n.additionalProperties === false ? [`${path}: additionalProperties false`] : [];
      const props = (n.properties ?? {}) as Record<string, Record<string, unknown>>;
      const untyped = Object.entries(props)
        .filter(([, v]) => !v.type)
        .map(([k]) => `${path}.${k}: no type`);
      const children = Object.entries(props).flatMap(([k, v]) => walk(v, `${path}.${k}`));
      return [...here, ...untyped, ...children, ...walk(n.items, `${path}[]`)];
    };
    for (const { object } of crdDocuments()) {
      const version = (object.spec as { versions: { schema: { openAPIV3Schema: unknown } }[] }).versions[0]!;
      expect(walk(version.schema.openAPIV3Schema, '')).toEqual([]);
    }
  });
});
