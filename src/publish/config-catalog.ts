// Targets from config.yaml `publishing.targets[]` behind the TargetCatalog port. Each target is
// validated by its publisher at start; a bad one stops start-up naming the target and field.
// (The operator adds custom resources and labelled Secrets as further sources.)
import { ConfigError } from '../config/loader.ts';
import type { TargetConfig } from '../config/publishing-schema.ts';
import { type DefinedTarget, defineTarget } from '../core/define-target.ts';
import type { PublisherRegistry, TargetCatalog } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { targetKey } from '../core/target-key.ts';

/** A configured target through the one Target constructor (per-type defaults, the publisher's check). */
export function targetFromConfig(spec: TargetConfig, registry: PublisherRegistry): DefinedTarget {
  return defineTarget(
    {
      name: spec.name,
      source: 'config',
      type: spec.type,
      enabled: spec.enabled,
      url: spec.url === undefined ? undefined : new Secret(spec.url),
      credentials: spec.credentials === undefined ? undefined : new Secret(spec.credentials),
      headers: spec.headers.map((h) => ({ name: h.name, value: new Secret(h.value) })),
      filter: spec.filter,
      delivery: { timeoutMs: spec.delivery.timeout, maxAttempts: spec.delivery.maxAttempts, ratePerMinute: spec.delivery.ratePerMinute },
      options: { slack: spec.slack, pagerduty: spec.pagerduty, rootly: spec.rootly },
    },
    registry,
  );
}

/** Builds the static catalog; throws a {@link ConfigError} for the first invalid target. */
export function createStaticCatalog(specs: readonly TargetConfig[], registry: PublisherRegistry, now: () => Date = () => new Date()): TargetCatalog {
  const targets = specs.map((spec, i) => {
    const { target, problem } = targetFromConfig(spec, registry);
    if (problem) throw new ConfigError(`config: publishing.targets[${i}] (${spec.name}): ${problem}`);
    return target;
  });
  const byKey = new Map(targets.map((t) => [targetKey(t), t]));
  let refreshedAt = now().toISOString();
  return {
    kubernetes: false,
    list: () => targets,
    get: (key) => byKey.get(key),
    refresh() {
      refreshedAt = now().toISOString();
      return Promise.resolve(targets.length);
    },
    lastRefresh: () => refreshedAt,
  };
}
