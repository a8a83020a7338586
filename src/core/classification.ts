// Classification: what the LLM (or the rules fallback) says about an alert.

/** The four classes of the legacy contract. */
export const SEVERITIES = ['critical', 'warning', 'info', 'noise'] as const;

/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** Kinds of problem an alert describes. */
export const CATEGORIES = [
  'availability',
  'latency',
  'errors',
  'saturation',
  'capacity',
  'security',
  'deployment',
  'configuration',
  'data',
  'network',
  'hardware',
  'other',
] as const;

/** One of {@link CATEGORIES}. */
export type Category = (typeof CATEGORIES)[number];

/** Who produced a classification (`legacy-import`: carried over from a predecessor's store by import-legacy). */
export type ClassificationSource = 'llm' | 'rules' | 'cache' | 'legacy-import';

/** The verdict itself, as the LLM returns it after local validation. */
export interface Verdict {
  severity: Severity;
  confidence: number;
  category: Category;
  reasoning: string;
  recommendations: string[];
}

/** A verdict with where it came from. */
export interface Classification extends Verdict {
  source: ClassificationSource;
  model: string;
  promptVersion: string;
  latencyMs: number;
}

/** The alert facts a classifier sees. */
export interface ClassifiableAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A classification and whether it came from the cache. */
export interface ClassifiedAlert extends Classification {
  cached: boolean;
}

/** Per-call options of a classifier. */
export interface ClassifyOptions {
  /** LLM answers below this confidence are replaced by rules (EnrichmentPolicy minConfidence). */
  minConfidence?: number;
  /** Skip the cache and ask again. */
  force?: boolean;
  /** A policy's model instead of the configured one. */
  model?: string;
  /** A policy's instructions, appended to the system prompt. */
  instructions?: string;
  /** A policy's sampling temperature. */
  temperature?: number;
  /** A policy's per-request timeout. */
  timeoutMs?: number;
  /** A policy's cache lifetime for this result. */
  cacheTtlMs?: number;
}

/** Circuit breaker states as the API reports them. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** The classifier port: cache -> LLM -> rules. */
export interface Classifier {
  classify(alert: ClassifiableAlert, options?: ClassifyOptions): Promise<ClassifiedAlert>;
  circuitState(): CircuitState;
  readonly llmEnabled: boolean;
  /** The configured LLM model, or undefined with rules only. */
  readonly model: string | undefined;
}

/** A stored classification with its time. */
export interface StoredClassification extends Classification {
  fingerprint: string;
  createdAt: string;
}

/** Where classification results persist. */
export interface ClassificationRepository {
  save(fingerprint: string, c: Classification): Promise<void>;
  latest(fingerprint: string): Promise<StoredClassification | null>;
}
