// Wiring of classification: the cache (in-process, in front of Redis when configured), the LLM
// client when one is configured, the classifier with its metrics, the error-reporting port, the
// classification service and the mode store (Redis or the settings table). Part of the
// composition root.
import type { Redis } from 'ioredis';
import { createBreaker } from '../classify/breaker.ts';
import { type ClassificationCache, createMemoryCache } from '../classify/cache.ts';
import { createClassifier } from '../classify/classifier.ts';
import { createLlmClient, type LlmClient } from '../classify/llm-client.ts';
import { createLayeredCache, createRedisCache } from '../classify/redis-cache.ts';
import type { Config } from '../config/schema.ts';
import type { ClassifiedAlert } from '../core/classification.ts';
import { CIRCUIT_VALUE } from '../core/circuit.ts';
import type { ModeStore } from '../core/enrichment.ts';
import type { AlertStore } from '../core/ports.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createClassificationErrors } from '../pipeline/classification-errors.ts';
import { type ClassificationService, createClassificationService } from '../pipeline/classification-service.ts';
import { createClassificationRepository } from '../store/classification-store.ts';
import type { Db } from '../store/db.ts';
import { createRedisModeStore, createSqlModeStore } from '../store/mode-store.ts';

/** The classification service and the mode store. */
export interface ClassificationParts {
  service: ClassificationService;
  modes: ModeStore;
}

function buildCache(metrics: Metrics, redis: Redis | undefined): ClassificationCache {
  const memory = createMemoryCache();
  if (!redis) return memory;
  return createLayeredCache(memory, createRedisCache(redis), (op) => metrics.cacheErrors.inc({ operation: op }));
}

function buildLlm(config: Config): LlmClient | undefined {
  const { llm } = config;
  if (!llm.apiUrl) return undefined;
  return createLlmClient({
    baseUrl: llm.apiUrl,
    apiKey: llm.apiKey,
    model: llm.model,
    timeoutMs: llm.timeoutSeconds * 1000,
    authHeader: llm.authHeader,
    maxRetries: llm.maxRetries,
  });
}

/** Classifier, persistence, counters and metrics, and the mode store (Redis or settings). */
export function buildClassification(
  config: Config,
  parts: { db: Db; store: AlertStore; metrics: Metrics; redis: Redis | undefined; onClassified: (fingerprint: string, result: ClassifiedAlert) => void },
): ClassificationParts {
  const { metrics } = parts;
  const cache = buildCache(metrics, parts.redis);
  const errors = createClassificationErrors((type) => metrics.classificationErrors.inc({ error_type: type }));
  const classifier = createClassifier({
    llm: buildLlm(config),
    breaker: createBreaker(),
    cache,
    cacheTtlMs: config.classification.cacheTtlSeconds * 1000,
    events: {
      onResult: (r) => {
        metrics.classifications.inc({ severity: r.severity, source: r.source });
        metrics.classificationDuration.observe(r.latencyMs / 1000);
        (r.cached ? metrics.cacheHits : metrics.cacheMisses).inc({ cache_type: cache.kind });
        metrics.circuitState.set(CIRCUIT_VALUE[classifier.circuitState()]);
      },
      onError: (type) => {
        errors.report(type);
        metrics.circuitState.set(CIRCUIT_VALUE[classifier.circuitState()]);
      },
      onDisagreement: (llm, rules) => metrics.classificationDisagreements.inc({ llm_severity: llm.severity, rules_severity: rules.severity }),
    },
  });
  const service = createClassificationService({
    classifier,
    repository: createClassificationRepository(parts.db),
    alerts: parts.store,
    errors,
    onClassified: parts.onClassified,
  });
  const modes = parts.redis ? createRedisModeStore(parts.redis, config.enrichment.mode) : createSqlModeStore(parts.db, config.enrichment.mode);
  return { service, modes };
}
