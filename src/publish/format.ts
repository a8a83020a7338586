// Pure helpers the publishers share for building payloads: severity, summary lines, truncation,
// the legacy llm_* annotations and links.
import type { Severity } from '../core/classification.ts';
import type { DeliveryAlert, FormatContext } from '../core/publishing.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';

/** Cuts `text` to at most `max` characters (code points), ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The classified severity, else the normalised `severity` label, else `warning`. */
export function severityOf(alert: DeliveryAlert): Severity {
  return alert.classification?.severity ?? normaliseSeverityLabel(alert.event.labels.severity) ?? 'warning';
}

/** `[FIRING] HighCPU prod/api` style title. */
export function titleOf(alert: DeliveryAlert): string {
  const { event } = alert;
  const where = [event.labels.namespace, event.labels.pod ?? event.labels.service ?? event.labels.instance].filter(Boolean).join('/');
  return `[${event.status.toUpperCase()}] ${event.alertname || 'alert'}${where ? ` ${where}` : ''}`;
}

/** The annotation a human reads first: summary, else description, else the title. */
export function summaryOf(alert: DeliveryAlert): string {
  const { annotations } = alert.event;
  return annotations.summary ?? annotations.description ?? annotations.message ?? titleOf(alert);
}

/** A link to the alert in our UI, when its base URL is configured. */
export function dashboardLink(alert: DeliveryAlert, ctx: FormatContext): string | undefined {
  if (!ctx.dashboardUrl) return undefined;
  return `${ctx.dashboardUrl.replace(/\/+$/, '')}/dashboard/alerts/${encodeURIComponent(alert.event.fingerprint)}`;
}

/** Alertmanager's zero time: how a v4 body says "still firing". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The legacy classification annotations (external-formats.md section 7): strings only, two
 * decimals, reasoning cut to 500, the first three recommendations. None when unclassified.
 */
export function llmAnnotations(alert: DeliveryAlert): Record<string, string> {
  const c = alert.classification;
  if (!c) return {};
  const out: Record<string, string> = {
    llm_severity: c.severity,
    llm_confidence: c.confidence.toFixed(2),
  };
  if (c.reasoning) out.llm_reasoning = truncate(c.reasoning, 500);
  if (c.recommendations.length > 0) out.llm_recommendations = c.recommendations.slice(0, 3).join('; ');
  return out;
}

/** The alert's annotations plus the llm_* ones (ours win on a name clash). */
export function annotationsWithClassification(alert: DeliveryAlert): Record<string, string> {
  return { ...alert.event.annotations, ...llmAnnotations(alert) };
}
