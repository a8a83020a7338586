// Classification as the API and the proxy use it: classify (cache -> LLM -> rules), persist what is
// new, look up known alerts by fingerprint, and keep the counters /classification/stats reports.
import type {
  ClassifiableAlert,
  ClassificationRepository,
  ClassifiedAlert,
  Classifier,
  ClassifyOptions,
  CircuitState,
  Severity,
  StoredClassification,
} from '../core/classification.ts';
import type { AlertStore } from '../core/ports.ts';
import type { ClassificationErrors } from './classification-errors.ts';

/** `GET /classification/stats`. */
export interface ClassificationStats {
  total_requests: number;
  cache_hits: number;
  llm_requests: number;
  fallback_used: number;
  errors: number;
  cache_hit_rate: number;
  llm_usage_rate: number;
  fallback_rate: number;
  error_rate: number;
  avg_latency_ms: number;
  by_severity: Record<Severity, number>;
  circuit_state: CircuitState;
}

/** The service. */
export interface ClassificationService {
  classify(alert: ClassifiableAlert, options?: ClassifyOptions): Promise<ClassifiedAlert>;
  /** Classifies a stored alert by fingerprint; null when the fingerprint is unknown. */
  classifyKnown(fingerprint: string, force: boolean): Promise<ClassifiedAlert | null>;
  latest(fingerprint: string): Promise<StoredClassification | null>;
  stats(): ClassificationStats;
  readonly classifier: Classifier;
}

const ratio = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

class Counters {
  total = 0;
  cacheHits = 0;
  llm = 0;
  fallback = 0;
  latencyTotal = 0;
  bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0, noise: 0 };

  count(result: ClassifiedAlert): void {
    this.total++;
    this.bySeverity[result.severity]++;
    if (result.cached) this.cacheHits++;
    else if (result.source === 'llm') this.llm++;
    else this.fallback++;
    this.latencyTotal += result.latencyMs;
  }

  snapshot(circuit: CircuitState, errors: number): ClassificationStats {
    return {
      total_requests: this.total,
      cache_hits: this.cacheHits,
      llm_requests: this.llm,
      fallback_used: this.fallback,
      errors,
      cache_hit_rate: ratio(this.cacheHits, this.total),
      llm_usage_rate: ratio(this.llm, this.total),
      fallback_rate: ratio(this.fallback, this.total),
      error_rate: ratio(errors, this.total),
      avg_latency_ms: this.total === 0 ? 0 : Math.round(this.latencyTotal / this.total),
      by_severity: { ...this.bySeverity },
      circuit_state: circuit,
    };
  }
}

/** Dependencies of {@link createClassificationService}. */
export interface ClassificationServiceDeps {
  classifier: Classifier;
  repository: ClassificationRepository;
  alerts: AlertStore;
  /** Where the classifier reports its failures (counted in stats); none: no failures counted. */
  errors?: Pick<ClassificationErrors, 'count'>;
  /** Each new (not cached) classification, for the live stream. */
  onClassified?: (fingerprint: string, result: ClassifiedAlert) => void;
}

/** Creates the service. */
export function createClassificationService(deps: ClassificationServiceDeps): ClassificationService {
  const counters = new Counters();
  const classify: ClassificationService['classify'] = async (alert, options = {}) => {
    const result = await deps.classifier.classify(alert, options);
    counters.count(result);
    if (!result.cached) {
      await deps.repository.save(alert.fingerprint, result);
      deps.onClassified?.(alert.fingerprint, result);
    }
    return result;
  };
  return {
    classifier: deps.classifier,
    classify,
    async classifyKnown(fingerprint, force) {
      const detail = await deps.alerts.alert(fingerprint, 1);
      if (!detail) return null;
      const { status, labels, annotations } = detail.current;
      return classify({ fingerprint, status, labels, annotations }, { force });
    },
    latest: (fingerprint) => deps.repository.latest(fingerprint),
    stats: () => counters.snapshot(deps.classifier.circuitState(), deps.errors?.count() ?? 0),
  };
}
