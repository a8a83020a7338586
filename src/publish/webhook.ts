// Generic webhook: an Alertmanager v4 body (one alert per message, as legacy did) with the
// classification in llm_* annotations, so any Alertmanager receiver accepts it unchanged
// (external-formats.md section 7). 2xx succeeds; 408, 429 and 5xx are retried.
import type { DeliveryAlert, FormatContext, OutboundRequest, Publisher, SendContext, SendResult } from '../core/publishing.ts';
import { annotationsWithClassification, ZERO_TIME } from './format.ts';
import { checkUrl, jsonHeaders } from './http.ts';

/** The v4 envelope with one alert. */
export function v4Body(alert: DeliveryAlert, ctx: FormatContext): Record<string, unknown> {
  const { event } = alert;
  const annotations = annotationsWithClassification(alert);
  return {
    version: '4',
    groupKey: `group:${event.fingerprint}`,
    truncatedAlerts: 0,
    status: event.status,
    receiver: ctx.target.name,
    groupLabels: { alertname: event.alertname },
    commonLabels: event.labels,
    commonAnnotations: annotations,
    externalURL: ctx.dashboardUrl ?? '',
    alerts: [
      {
        status: event.status,
        labels: event.labels,
        annotations,
        startsAt: event.startsAt,
        endsAt: event.endsAt ?? ZERO_TIME,
        generatorURL: event.generatorURL,
        fingerprint: event.fingerprint,
      },
    ],
  };
}

/** The generic webhook publisher. */
export const webhookPublisher: Publisher<OutboundRequest> = {
  type: 'webhook',
  defaultRatePerMinute: 600,
  validate: (target) => checkUrl(target, { required: true }),
  format(alert, ctx) {
    return { method: 'POST', url: ctx.target.url?.reveal() ?? '', headers: jsonHeaders(ctx.target), body: JSON.stringify(v4Body(alert, ctx)) };
  },
  async send(payload: OutboundRequest, ctx: SendContext): Promise<SendResult> {
    const response = await ctx.http(payload);
    return { statusCode: response.status };
  },
};
