// Rootly REST alerts API (external-formats.md section 6.1): a firing alert creates a Rootly alert
// whose id send() returns as the external ref; the resolved one resolves that id. Rootly keys
// resolves by its own id, not by ours, so without the stored id there is nothing to resolve.
import type { ClassifiedAlert } from '../core/classification.ts';
import type { DeliveryAlert, FormatContext, OutboundRequest, Publisher, SendContext, SendResult, Target } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { dashboardLink, severityOf, truncate } from './format.ts';
import { checkUrl, invalidResponse, joinUrl, targetHeaders } from './http.ts';
import { isRecord } from '../core/guards.ts';

/** The REST API base when the target gives no `url`. */
const DEFAULT_BASE = 'https://api.rootly.com';

/** Ours: Rootly documents no summary limit, and a title should fit one line. */
const MAX_SUMMARY = 255;

/** How many recommendations the description lists, as every other publisher does. */
const MAX_RECOMMENDATIONS = 3;

/** What send() does: create, resolve a known id, or refuse a resolve whose id was never stored. */
export type RootlyPayload =
  | { action: 'create'; request: OutboundRequest }
  | { action: 'resolve'; id: string; request: OutboundRequest }
  | { action: 'unresolvable'; fingerprint: string };

const isHttpUrl = (url: string): boolean => /^https?:\/\//i.test(url);

/** `[critical] KubePodCrashLooping payments/api`: severity first, as on-call reads it. */
function summary(alert: DeliveryAlert): string {
  const { event } = alert;
  const where = [event.labels.namespace, event.labels.pod ?? event.labels.service ?? event.labels.instance].filter(Boolean).join('/');
  return truncate(`[${severityOf(alert)}] ${event.alertname || 'alert'}${where ? ` ${where}` : ''}`, MAX_SUMMARY);
}

function classificationMarkdown(alert: DeliveryAlert): string[] {
  const c = alert.classification;
  if (!c) return [];
  const parts = [`**Classification:** ${c.severity} (confidence ${c.confidence.toFixed(2)})`];
  if (c.reasoning) parts.push(`**Reasoning:** ${c.reasoning}`);
  const recommendations = c.recommendations.slice(0, MAX_RECOMMENDATIONS).map((r) => `- ${r}`);
  if (recommendations.length > 0) parts.push(['**Recommendations:**', ...recommendations].join('\n'));
  return parts;
}

function linksMarkdown(alert: DeliveryAlert, link: string | undefined): string[] {
  const out: string[] = [];
  if (link) out.push(`[Alert history](${link})`);
  if (isHttpUrl(alert.event.generatorURL)) out.push(`[Source](${alert.event.generatorURL})`);
  return out.length > 0 ? [out.join(' · ')] : [];
}

function description(alert: DeliveryAlert, link: string | undefined): string {
  const { annotations } = alert.event;
  const text = [annotations.summary, annotations.description ?? annotations.message].filter((s): s is string => Boolean(s));
  return [...new Set(text), ...classificationMarkdown(alert), ...linksMarkdown(alert, link)].join('\n\n');
}

/** The classification without our bookkeeping (latency, cache flag, prompt version). */
function verdict(c: ClassifiedAlert): Record<string, unknown> {
  return {
    severity: c.severity,
    confidence: c.confidence,
    category: c.category,
    reasoning: c.reasoning,
    recommendations: c.recommendations,
    source: c.source,
    model: c.model,
  };
}

function attributes(alert: DeliveryAlert, ctx: FormatContext): Record<string, unknown> {
  const { event } = alert;
  const link = dashboardLink(alert, ctx);
  const c = alert.classification;
  return {
    source: ctx.target.options.rootly?.source ?? 'api',
    summary: summary(alert),
    description: description(alert, link),
    started_at: event.startsAt,
    external_id: event.fingerprint,
    external_url: link ?? (isHttpUrl(event.generatorURL) ? event.generatorURL : undefined),
    deduplication_key: event.fingerprint,
    labels: Object.entries(event.labels).map(([key, value]) => ({ key, value })),
    noise: c ? (c.severity === 'noise' ? 'noise' : 'not_noise') : undefined,
    data: { labels: event.labels, annotations: event.annotations, classification: c && verdict(c) },
  };
}

function request(target: Target, path: string, body: unknown): OutboundRequest {
  return {
    method: 'POST',
    url: joinUrl(target.url?.reveal() || DEFAULT_BASE, path),
    headers: {
      ...targetHeaders(target),
      authorization: `Bearer ${target.credentials?.reveal() ?? ''}`,
      'content-type': 'application/vnd.api+json',
    },
    body: JSON.stringify(body),
  };
}

function resolvePayload(alert: DeliveryAlert, ctx: FormatContext): RootlyPayload {
  const id = ctx.externalRef;
  if (!id) return { action: 'unresolvable', fingerprint: alert.event.fingerprint };
  const at = alert.event.endsAt ?? alert.event.receivedAt;
  const body = { data: { type: 'alerts', attributes: { resolution_message: `Resolved in Alertmanager at ${at}`, resolve_related_incidents: false } } };
  return { action: 'resolve', id, request: request(ctx.target, `/v1/alerts/${encodeURIComponent(id)}/resolve`, body) };
}

/** The JSON:API `data.id` of a created alert (a string, tolerated as a number). */
function createdId(text: string): string | undefined {
  try {
    const reply: unknown = JSON.parse(text);
    const id = isRecord(reply) && isRecord(reply.data) ? reply.data.id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

async function create(request: OutboundRequest, ctx: SendContext): Promise<SendResult> {
  const response = await ctx.http(request);
  const id = createdId(response.text);
  if (!id) throw invalidResponse(ctx.target, `Rootly answered HTTP ${response.status} without data.id`, { statusCode: response.status });
  return { statusCode: response.status, externalRef: id };
}

/** The Rootly REST alerts publisher. */
export const rootlyPublisher: Publisher<RootlyPayload> = {
  type: 'rootly',
  defaultRatePerMinute: 3000,
  defaultUrl: DEFAULT_BASE,
  validate: (target) => [...(target.credentials?.reveal() ? [] : ['credentials: required (the Rootly API key)']), ...checkUrl(target, { required: false })],
  format(alert, ctx) {
    if (alert.event.status === 'resolved') return resolvePayload(alert, ctx);
    return { action: 'create', request: request(ctx.target, '/v1/alerts', { data: { type: 'alerts', attributes: attributes(alert, ctx) } }) };
  },
  async send(payload: RootlyPayload, ctx: SendContext): Promise<SendResult> {
    if (payload.action === 'unresolvable') {
      throw new PublishError(`Rootly alert id of ${payload.fingerprint} is unknown (its firing delivery never succeeded), so it cannot be resolved`, {
        reason: 'client_error',
        retryable: false,
      });
    }
    if (payload.action === 'create') return create(payload.request, ctx);
    const response = await ctx.http(payload.request);
    return { statusCode: response.status, externalRef: payload.id };
  },
};
