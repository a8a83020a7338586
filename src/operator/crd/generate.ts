// Builds the CustomResourceDefinitions from the zod schemas: structural openAPIV3Schema (no
// additionalProperties: false, every object typed), CEL rules with human messages, the status
// subresource, printer columns, short names and the `alerthistory` category. `make manifests`
// writes them to crds/; a test fails when crds/ differs from what this produces.
import { stringify } from 'yaml';
import { z } from 'zod';
import { ENRICHMENT_POLICY_RULES, enrichmentPolicySpec, enrichmentPolicyStatus } from './enrichment-policy.ts';
import { HEADER_RULES, PUBLISHING_TARGET_RULES, publishingTargetSpec, publishingTargetStatus } from './publishing-target.ts';
import { isRecord } from '../../core/guards.ts';

/** The API group and version. */
export const GROUP = 'alerthistory.io';
export const VERSION = 'v1alpha1';

type Json = Record<string, unknown>;

/** Rewrites a JSON Schema node into a Kubernetes structural schema node. */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id') continue;
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = structural(value);
  }
  return out;
}

function schemaOf(type: z.ZodType): Json {
  const schema = structural(z.toJSONSchema(type, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' }));
  if (!isRecord(schema)) throw new Error('CRD schema: a spec schema is not an object');
  return schema;
}

/** The object member `key` of a schema node (the generator's own output: anything else is a bug). */
function objectAt(node: Json, key: string): Json {
  const value = node[key];
  if (!isRecord(value)) throw new Error(`CRD schema: ${key} is not an object`);
  return value;
}

function withRules(schema: Json, rules: readonly { rule: string; message: string }[]): Json {
  return { ...schema, 'x-kubernetes-validations': rules.map((r) => ({ rule: r.rule, message: r.message })) };
}

function targetSpecSchema(): Json {
  const spec = withRules(schemaOf(publishingTargetSpec), PUBLISHING_TARGET_RULES);
  const properties = objectAt(spec, 'properties');
  const headers = objectAt(properties, 'headers');
  properties.headers = { ...headers, items: withRules(objectAt(headers, 'items'), HEADER_RULES) };
  return spec;
}

interface CrdInput {
  kind: string;
  plural: string;
  shortName: string;
  spec: Json;
  status: Json;
  columns: Json[];
  description: string;
}

function crd(input: CrdInput): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${input.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural: input.plural,
        singular: input.kind.toLowerCase(),
        shortNames: [input.shortName],
        categories: ['alerthistory'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: input.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: input.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: input.spec,
                status: input.status,
              },
            },
          },
        },
      ],
    },
  };
}

const condition = (type: string, path: string): Json => ({ name: type, type: 'string', jsonPath: `.status.conditions[?(@.type=="${path}")].status` });

/** The two CRDs, with the file each is written to. */
export function crdDocuments(): { file: string; object: Json }[] {
  return [
    {
      file: 'alerthistory.io_publishingtargets.yaml',
      object: crd({
        kind: 'PublishingTarget',
        plural: 'publishingtargets',
        shortName: 'pt',
        description: 'PublishingTarget: one destination for alerts (Slack, PagerDuty, Rootly, webhook or Alertmanager).',
        spec: targetSpecSchema(),
        status: schemaOf(publishingTargetStatus),
        columns: [
          { name: 'Type', type: 'string', jsonPath: '.spec.type' },
          { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
          condition('Ready', 'Ready'),
          condition('Healthy', 'Healthy'),
          { name: 'Endpoint', type: 'string', jsonPath: '.status.endpoint' },
          { name: 'Last Delivery', type: 'date', jsonPath: '.status.lastDeliveryTime' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
          { name: 'Message', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].message', priority: 1 },
        ],
      }),
    },
    {
      file: 'alerthistory.io_enrichmentpolicies.yaml',
      object: crd({
        kind: 'EnrichmentPolicy',
        plural: 'enrichmentpolicies',
        // Not `ep`: that is core Endpoints' short name, which kubectl resolves first.
        shortName: 'epol',
        description: 'EnrichmentPolicy: how matching alerts are classified and filtered; policies never publish by themselves.',
        spec: withRules(schemaOf(enrichmentPolicySpec), ENRICHMENT_POLICY_RULES),
        status: schemaOf(enrichmentPolicyStatus),
        columns: [
          { name: 'Mode', type: 'string', jsonPath: '.spec.mode' },
          { name: 'Priority', type: 'integer', jsonPath: '.spec.priority' },
          condition('Ready', 'Ready'),
          { name: 'Matched', type: 'integer', jsonPath: '.status.matchedAlerts' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      }),
    },
  ];
}

/** The YAML text of one CRD file. */
export function renderCrd(object: Json): string {
  return `# Generated by \`make manifests\` from src/operator/crd/. Do not edit.\n${stringify(object, { lineWidth: 0 })}`;
}

/**
 * The kustomization's file name in crds/: kustomize also reads `Kustomization`, and without a
 * .yaml/.yml/.json extension `kubectl apply -f crds/` skips it (a kustomization.yaml made that
 * command fail with `no matches for kind "Kustomization"`), so both `-f crds/` and `-k crds/` work.
 */
export const KUSTOMIZATION_FILE = 'Kustomization';

/** crds/Kustomization, so kustomize bases can include the directory (it refuses single files outside their own). */
export function renderKustomization(): string {
  const files = crdDocuments()
    .map((d) => d.file)
    .sort();
  return `# Generated by \`make manifests\`. Do not edit.\n${stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files })}`;
}
