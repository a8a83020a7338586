// PagerDuty Events API v2 (external-formats.md section 4): a firing alert is a `trigger` and a
// resolved one a `resolve`, both keyed by the fingerprint, so a resolve needs no stored id and
// works after a restart. The routing key travels in the body; there is no auth header.
import type { Severity } from '../core/classification.ts';
import type { DeliveryAlert, FormatContext, OutboundRequest, PagerDutySeverity, Publisher, SendContext, SendResult, Target } from '../core/publishing.ts';
import { dashboardLink, severityOf, summaryOf, titleOf, truncate } from './format.ts';
import { checkUrl, invalidResponse, joinUrl, targetHeaders } from './http.ts';
import { isRecord } from '../core/guards.ts';

/** The Events API base when the target gives no `url`. */
const DEFAULT_BASE = 'https://events.pagerduty.com';

/** `payload.summary` limit; https://developer.pagerduty.com/docs/send-alert-event */
const MAX_SUMMARY = 1024;

/** Event size limit (Alertmanager's maxEventSize); https://developer.pagerduty.com/docs/events-api-v2-overview */
const MAX_EVENT_BYTES = 512_000;

/** Integration keys are 32 characters; https://developer.pagerduty.com/docs/send-alert-event */
const ROUTING_KEY_LENGTH = 32;

/** Alertmanager's wording, so operators who know its PagerDuty notifier recognise it. */
const DETAILS_REMOVED = { error: 'Custom details have been removed because the original event exceeds the maximum size of 512KB' };

/** Our classes to PagerDuty's (legacy mapping: noise pages nobody, so it is `info`). */
const DEFAULT_SEVERITY: Record<Severity, PagerDutySeverity> = { critical: 'critical', warning: 'warning', info: 'info', noise: 'info' };

/** The request plus the dedup key, which send() reports as the delivery's external ref. */
export interface PagerDutyPayload {
  dedupKey: string;
  request: OutboundRequest;
}

const isHttpUrl = (url: string): boolean => /^https?:\/\//i.test(url);

function severity(alert: DeliveryAlert, target: Target): PagerDutySeverity {
  const ours = severityOf(alert);
  return target.options.pagerduty?.severityMap?.[ours] ?? DEFAULT_SEVERITY[ours];
}

/** The affected system: PagerDuty requires a non-empty `source`, ideally a host. */
function source(labels: Record<string, string>): string {
  if (labels.instance) return labels.instance;
  const place = [labels.cluster, labels.namespace].filter(Boolean).join('/');
  return place || 'alertmanager';
}

function summary(alert: DeliveryAlert): string {
  const title = titleOf(alert);
  const text = summaryOf(alert);
  return truncate(text === title ? title : `${title}: ${text}`, MAX_SUMMARY);
}

function customDetails(alert: DeliveryAlert, link: string | undefined): Record<string, unknown> {
  const c = alert.classification;
  return {
    labels: alert.event.labels,
    annotations: alert.event.annotations,
    classification: c ? { severity: c.severity, confidence: c.confidence, reasoning: c.reasoning, recommendations: c.recommendations } : undefined,
    dashboard_url: link,
  };
}

function links(alert: DeliveryAlert, link: string | undefined): { href: string; text: string }[] {
  const out: { href: string; text: string }[] = [];
  if (isHttpUrl(alert.event.generatorURL)) out.push({ href: alert.event.generatorURL, text: 'Source' });
  if (link) out.push({ href: link, text: 'Alert history' });
  return out;
}

function triggerEvent(alert: DeliveryAlert, ctx: FormatContext, routingKey: string): Record<string, unknown> {
  const { labels } = alert.event;
  const link = dashboardLink(alert, ctx);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.event.fingerprint,
    payload: {
      summary: summary(alert),
      source: source(labels),
      severity: severity(alert, ctx.target),
      timestamp: alert.event.startsAt,
      component: labels.container || labels.job || undefined,
      group: labels.namespace || undefined,
      class: alert.event.alertname || undefined,
      custom_details: customDetails(alert, link),
    },
    links: links(alert, link),
    client: 'alert-history',
    client_url: ctx.dashboardUrl,
  };
}

/** Serialises a trigger, replacing custom_details the Alertmanager way when the event is too big. */
function fitTrigger(event: Record<string, unknown>): string {
  const body = JSON.stringify(event);
  if (Buffer.byteLength(body) <= MAX_EVENT_BYTES) return body;
  const payload = { ...(isRecord(event.payload) ? event.payload : {}), custom_details: DETAILS_REMOVED };
  return JSON.stringify({ ...event, payload });
}

function eventBody(alert: DeliveryAlert, ctx: FormatContext): string {
  const routingKey = ctx.target.credentials?.reveal() ?? '';
  if (alert.event.status === 'resolved') {
    return JSON.stringify({ routing_key: routingKey, event_action: 'resolve', dedup_key: alert.event.fingerprint });
  }
  return fitTrigger(triggerEvent(alert, ctx, routingKey));
}

function credentialProblems(target: Target): string[] {
  const key = target.credentials?.reveal() ?? '';
  if (!key) return ['credentials: required (the PagerDuty routing key)'];
  return key.length === ROUTING_KEY_LENGTH ? [] : [`credentials: the PagerDuty routing key must be ${ROUTING_KEY_LENGTH} characters`];
}

/** PagerDuty answers 202 `{"status":"success"}`; any other 2xx body is not an accepted event. */
function acceptedStatus(text: string): string | undefined {
  try {
    const reply: unknown = JSON.parse(text);
    return isRecord(reply) && typeof reply.status === 'string' ? reply.status : undefined;
  } catch {
    return undefined;
  }
}

/** The PagerDuty Events API v2 publisher. */
export const pagerdutyPublisher: Publisher<PagerDutyPayload> = {
  type: 'pagerduty',
  defaultRatePerMinute: 120,
  defaultUrl: DEFAULT_BASE,
  validate: (target) => [...credentialProblems(target), ...checkUrl(target, { required: false })],
  format(alert, ctx) {
    const base = ctx.target.url?.reveal() || DEFAULT_BASE;
    return {
      dedupKey: alert.event.fingerprint,
      request: {
        method: 'POST',
        url: joinUrl(base, '/v2/enqueue'),
        headers: { ...targetHeaders(ctx.target), 'content-type': 'application/json' },
        body: eventBody(alert, ctx),
      },
    };
  },
  async send(payload: PagerDutyPayload, ctx: SendContext): Promise<SendResult> {
    const response = await ctx.http(payload.request);
    const status = acceptedStatus(response.text);
    if (status !== 'success') {
      throw invalidResponse(ctx.target, `PagerDuty answered HTTP ${response.status} with status ${status ?? '(none)'} instead of success`, {
        statusCode: response.status,
      });
    }
    return { statusCode: response.status, externalRef: payload.dedupKey };
  },
};
