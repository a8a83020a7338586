// The one constructor of a Target, whichever source defines it (config.yaml, a PublishingTarget
// custom resource, a labelled Secret): the per-type defaults are applied here, matchers take the
// query shape here, and the publisher checks the result here. Each source only reads its format
// and says where a problem came from.
import type { TargetFilter } from './filter.ts';
import { labelMatchers, type MatcherSpec } from './label-matchers.ts';
import type { PublisherRegistry, Target, TargetHeader, TargetOptions, TargetSource, TargetType } from './publishing.ts';
import type { Secret } from './secret.ts';

/** Delivery settings when a definition gives none: 10 s per attempt, 8 attempts (crds.md). */
export const DEFAULT_DELIVERY = { timeoutMs: 10_000, maxAttempts: 8 } as const;

/** A target filter with matchers as config and the CRDs spell them. */
export type FilterDefinition = Omit<TargetFilter, 'matchers'> & { matchers?: readonly MatcherSpec[] | undefined };

/** Delivery settings as given; each left out takes its default. */
export interface DeliveryDefinition {
  timeoutMs?: number | undefined;
  maxAttempts?: number | undefined;
  ratePerMinute?: number | undefined;
}

/** What a source knows of a target; everything left out takes its default. */
export interface TargetDefinition {
  name: string;
  namespace?: string | undefined;
  source: TargetSource;
  type: TargetType;
  /** Default true. */
  enabled?: boolean | undefined;
  url?: Secret | undefined;
  credentials?: Secret | undefined;
  headers?: TargetHeader[] | undefined;
  /** Default `{ excludeNoise: true }`. */
  filter?: FilterDefinition | undefined;
  delivery?: DeliveryDefinition | undefined;
  options?: TargetOptions | undefined;
}

/** The target, and the publisher's first problem with it (a field path and message), if any. */
export interface DefinedTarget {
  target: Target;
  problem: string | undefined;
}

function deliveryOf(given: DeliveryDefinition, defaultRatePerMinute: number): Target['delivery'] {
  return {
    timeoutMs: given.timeoutMs ?? DEFAULT_DELIVERY.timeoutMs,
    maxAttempts: given.maxAttempts ?? DEFAULT_DELIVERY.maxAttempts,
    ratePerMinute: given.ratePerMinute ?? defaultRatePerMinute,
  };
}

/** Builds the Target of a definition and lets its publisher check it. */
export function defineTarget(definition: TargetDefinition, registry: PublisherRegistry): DefinedTarget {
  const publisher = registry.get(definition.type);
  const { matchers, ...filter } = definition.filter ?? { excludeNoise: true };
  const target: Target = {
    name: definition.name,
    source: definition.source,
    type: definition.type,
    enabled: definition.enabled ?? true,
    url: definition.url,
    credentials: definition.credentials,
    headers: definition.headers ?? [],
    filter: matchers === undefined ? filter : { ...filter, matchers: labelMatchers(matchers) },
    delivery: deliveryOf(definition.delivery ?? {}, publisher.defaultRatePerMinute),
    options: definition.options ?? {},
  };
  if (definition.namespace !== undefined) target.namespace = definition.namespace;
  return { target, problem: publisher.validate(target)[0] };
}
