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

/** Who produced a classification. */
export type ClassificationSource = 'llm' | 'rules' | 'cache';

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
