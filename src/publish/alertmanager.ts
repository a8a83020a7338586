// Forwards to another Alertmanager's `POST /api/v2/alerts` (postable alerts). A resolved alert
// carries its endsAt, which resolves it there; a firing one omits endsAt so that Alertmanager's
// resolve_timeout applies. The classification rides along as llm_* annotations.
import type { OutboundRequest, Publisher, SendContext, SendResult } from '../core/publishing.ts';
import { annotationsWithClassification } from './format.ts';
import { checkUrl, joinUrl, jsonHeaders } from './http.ts';

/** The Alertmanager publisher. */
export const alertmanagerPublisher: Publisher<OutboundRequest> = {
  type: 'alertmanager',
  defaultRatePerMinute: 600,
  validate: (target) => checkUrl(target, { required: true }),
  format(alert, ctx) {
    const { event } = alert;
    const postable: Record<string, unknown> = {
      labels: event.labels,
      annotations: annotationsWithClassification(alert),
      startsAt: event.startsAt,
      generatorURL: event.generatorURL || undefined,
    };
    if (event.status === 'resolved') postable.endsAt = event.endsAt ?? event.receivedAt;
    return {
      method: 'POST',
      url: joinUrl(ctx.target.url?.reveal() ?? '', '/api/v2/alerts'),
      headers: jsonHeaders(ctx.target),
      body: JSON.stringify([postable]),
    };
  },
  async send(payload: OutboundRequest, ctx: SendContext): Promise<SendResult> {
    const response = await ctx.http(payload);
    return { statusCode: response.status };
  },
};
