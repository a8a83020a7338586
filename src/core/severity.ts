// Severity label normalisation shared by the rules classifier and the filters.
import type { Severity } from './classification.ts';

const LABEL_SEVERITY: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  error: 'critical',
  page: 'critical',
  high: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  info: 'info',
  informational: 'info',
  debug: 'info',
  low: 'info',
  none: 'noise',
  trace: 'noise',
  noise: 'noise',
};

/** Normalises a `severity` label value (crit, error, page, high -> critical; warn -> warning; ...). */
export function normaliseSeverityLabel(value: string | undefined): Severity | undefined {
  return value === undefined ? undefined : LABEL_SEVERITY[value.trim().toLowerCase()];
}
