// Resolves a PublishingTarget custom resource into a Target: validate the spec again in code (the
// schema may be older than this build, and regexes cannot be checked by CEL), read the Secrets it
// references, apply per-type defaults, and let the publisher validate the result. Failures carry
// the condition reason crds.md names and whether retrying can help.
import { type DefinedTarget, defineTarget } from '../core/define-target.ts';
import { matchersProblem, patternProblem } from '../core/pattern.ts';
import { parseDuration } from '../core/time.ts';
import type { PublisherRegistry, Target } from '../core/publishing.ts';
import { maskUrl, Secret } from '../core/secret.ts';
import { type PublishingTargetSpec, publishingTargetSpec } from './crd/publishing-target.ts';

/** A custom resource as the informer holds it. */
export interface CustomResource {
  metadata: { name: string; namespace: string; generation?: number; resourceVersion?: string; creationTimestamp?: string; uid?: string };
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** Reads one key of a Secret in a namespace. */
export type SecretLookup = (
  namespace: string,
  name: string,
  key: string,
) => { found: 'secret-missing' } | { found: 'key-missing' } | { found: 'ok'; value: string };

/** Why a resource is not Ready. */
export type NotReadyReason = 'SecretNotFound' | 'SecretKeyMissing' | 'InvalidSpec';

/** The outcome of resolving one resource. */
export type Resolution =
  | { ok: true; target: Target; endpoint: string; secrets: string[]; message: string }
  | { ok: false; reason: NotReadyReason; message: string; secrets: string[] };

function regexProblem(spec: PublishingTargetSpec): string | undefined {
  const pattern = spec.filter?.alertNamePattern;
  const problem = pattern === undefined ? undefined : patternProblem(pattern);
  if (problem) return `spec.filter.alertNamePattern: ${problem}`;
  return matchersProblem(spec.filter?.matchers, 'spec.filter.matchers');
}

/** The Secrets a spec references (for the Secret -> targets index). */
export function referencedSecrets(spec: PublishingTargetSpec): string[] {
  const names = [spec.urlSecretRef?.name, spec.credentialsSecretRef?.name, ...(spec.headers ?? []).map((h) => h.valueFrom?.secretKeyRef.name)];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

type Read = { ok: true; value: Secret | undefined } | { ok: false; reason: NotReadyReason; message: string };

function readRef(lookup: SecretLookup, namespace: string, ref: { name: string; key: string } | undefined, field: string): Read {
  if (!ref) return { ok: true, value: undefined };
  const got = lookup(namespace, ref.name, ref.key);
  if (got.found === 'secret-missing') return { ok: false, reason: 'SecretNotFound', message: `${field}: Secret ${namespace}/${ref.name} not found` };
  if (got.found === 'key-missing')
    return { ok: false, reason: 'SecretKeyMissing', message: `${field}: Secret ${namespace}/${ref.name} has no key "${ref.key}"` };
  return { ok: true, value: new Secret(got.value.trim()) };
}

interface Values {
  url: Secret | undefined;
  credentials: Secret | undefined;
  headers: Target['headers'];
}

function defineFrom(cr: CustomResource, spec: PublishingTargetSpec, values: Values, registry: PublisherRegistry): DefinedTarget {
  const d = spec.delivery;
  return defineTarget(
    {
      name: cr.metadata.name,
      namespace: cr.metadata.namespace,
      source: 'crd',
      type: spec.type,
      enabled: spec.enabled,
      ...values,
      filter: spec.filter,
      delivery: d && { timeoutMs: parseDuration(d.timeout) ?? undefined, maxAttempts: d.maxAttempts, ratePerMinute: d.ratePerMinute },
      options: { slack: spec.slack, pagerduty: spec.pagerduty, rootly: spec.rootly },
    },
    registry,
  );
}

function readHeaders(
  lookup: SecretLookup,
  cr: CustomResource,
  spec: PublishingTargetSpec,
): { ok: true; headers: Target['headers'] } | { ok: false; reason: NotReadyReason; message: string } {
  const headers: Target['headers'] = [];
  for (const [i, h] of (spec.headers ?? []).entries()) {
    if (h.value !== undefined) {
      headers.push({ name: h.name, value: new Secret(h.value) });
      continue;
    }
    const read = readRef(lookup, cr.metadata.namespace, h.valueFrom?.secretKeyRef, `spec.headers[${i}].valueFrom`);
    if (!read.ok) return read;
    headers.push({ name: h.name, value: read.value ?? new Secret('') });
  }
  return { ok: true, headers };
}

type Failure = { ok: false; reason: NotReadyReason; message: string };

function parseSpec(cr: CustomResource): { ok: true; spec: PublishingTargetSpec } | Failure {
  const parsed = publishingTargetSpec.safeParse(cr.spec ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'InvalidSpec', message: `spec.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const problem = regexProblem(parsed.data);
  return problem ? { ok: false, reason: 'InvalidSpec', message: problem } : { ok: true, spec: parsed.data };
}

function readValues(cr: CustomResource, spec: PublishingTargetSpec, lookup: SecretLookup): { ok: true; values: Values } | Failure {
  const { namespace } = cr.metadata;
  const url = spec.url === undefined ? readRef(lookup, namespace, spec.urlSecretRef, 'spec.urlSecretRef') : { ok: true as const, value: new Secret(spec.url) };
  if (!url.ok) return url;
  const credentials = readRef(lookup, namespace, spec.credentialsSecretRef, 'spec.credentialsSecretRef');
  if (!credentials.ok) return credentials;
  const headers = readHeaders(lookup, cr, spec);
  if (!headers.ok) return headers;
  return { ok: true, values: { url: url.value, credentials: credentials.value, headers: headers.headers } };
}

/** Resolves a PublishingTarget. */
export function resolveTarget(cr: CustomResource, lookup: SecretLookup, registry: PublisherRegistry): Resolution {
  const parsed = parseSpec(cr);
  if (!parsed.ok) return { ...parsed, secrets: [] };
  const { spec } = parsed;
  const secrets = referencedSecrets(spec);
  const read = readValues(cr, spec, lookup);
  if (!read.ok) return { ...read, secrets };
  const { target, problem: invalid } = defineFrom(cr, spec, read.values, registry);
  if (invalid) return { ok: false, reason: 'InvalidSpec', message: `spec.${invalid}`, secrets };
  const endpoint = spec.urlSecretRef ? maskUrl(read.values.url?.reveal()) : (spec.url ?? registry.get(target.type).defaultUrl ?? '');
  const from = secrets.length ? `credentials resolved from Secret ${secrets.map((s) => `${cr.metadata.namespace}/${s}`).join(', ')}` : 'no Secret referenced';
  return { ok: true, target, endpoint, secrets, message: from };
}
