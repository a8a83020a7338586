import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { DeliveryAlert, FormatContext, OutboundResponse, SendContext, Target } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { KIT_ALERTS, kitTarget, runPublisherKit, SECRET } from '../../test/helpers/publisher-kit.ts';
import { createHttpSend } from './http.ts';
import { pagerdutyPublisher } from './pagerduty.ts';

/** A routing key has 32 characters; the kit's SECRET has 31. */
const ROUTING_KEY = `${SECRET}Z`;

function pdTarget(url: string | undefined, options: Target['options'] = {}): Target {
  // The routing key is longer than SECRET, so a header holding SECRET itself is what redacts the
  // kit server's echo of it; the full key's redaction is tested below.
  return kitTarget({
    type: 'pagerduty',
    url: url === undefined ? undefined : new Secret(url),
    credentials: new Secret(ROUTING_KEY),
    headers: [{ name: 'X-Kit-Token', value: new Secret(SECRET) }],
    options,
  });
}

runPublisherKit({
  publisher: pagerdutyPublisher,
  target: (url) => pdTarget(url),
  success: { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' },
});

const FIRING = KIT_ALERTS['firing-classified']!;

function variant(patch: {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  classification?: DeliveryAlert['classification'] | null;
}): DeliveryAlert {
  return {
    event: { ...FIRING.event, labels: patch.labels ?? FIRING.event.labels, annotations: patch.annotations ?? FIRING.event.annotations },
    classification: patch.classification === null ? undefined : (patch.classification ?? FIRING.classification),
  };
}

function ctxFor(target: Target = pdTarget(undefined)): FormatContext {
  return { target, externalRef: undefined, dashboardUrl: 'https://ah.example.invalid' };
}

/** The parts of an event body these tests read. */
interface EventBody {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: { summary: string; source: string; severity: string; custom_details: Record<string, unknown> };
}

function bodyOf(alert: DeliveryAlert, ctx = ctxFor()): EventBody {
  return JSON.parse(pagerdutyPublisher.format(alert, ctx).request.body) as EventBody;
}

function fakeSend(reply: Partial<OutboundResponse>): SendContext {
  return { target: pdTarget(undefined), http: () => Promise.resolve({ status: 202, headers: new Headers(), text: '', ...reply }) };
}

describe('pagerduty format', () => {
  it('posts to the default Events API with no auth header', () => {
    const { request } = pagerdutyPublisher.format(FIRING, ctxFor());
    expect(request.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(Object.keys(request.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(bodyOf(FIRING)).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: FIRING.event.fingerprint });
  });

  it('cuts a 5000-character summary to 1024 characters ending with …', () => {
    const summary = bodyOf(variant({ annotations: { summary: 'x'.repeat(5000) } })).payload.summary;
    expect(Array.from(summary)).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('replaces custom_details the Alertmanager way when the event would exceed 512000 bytes', () => {
    const alert = variant({ annotations: { summary: 'big', description: 'y'.repeat(600_000) } });
    const { body } = pagerdutyPublisher.format(alert, ctxFor()).request;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(512_000);
    const parsed = JSON.parse(body) as EventBody;
    expect(parsed.payload.custom_details).toEqual({ error: expect.stringContaining('Custom details have been removed') as unknown });
    expect(parsed.payload.summary).toContain('big');
  });

  it('keeps custom_details under the limit, with the classification and our link', () => {
    const details = bodyOf(FIRING).payload.custom_details;
    expect(details.classification).toEqual({
      severity: 'critical',
      confidence: 0.87,
      reasoning: FIRING.classification!.reasoning,
      recommendations: FIRING.classification!.recommendations,
    });
    expect(details.dashboard_url).toBe(`https://ah.example.invalid/dashboard/alerts/${FIRING.event.fingerprint}`);
  });

  it('maps noise to info and honours severityMap', () => {
    const noise = variant({ classification: { ...FIRING.classification!, severity: 'noise' } });
    expect(bodyOf(noise).payload.severity).toBe('info');
    const mapped = ctxFor(pdTarget(undefined, { pagerduty: { severityMap: { critical: 'error' } } }));
    expect(bodyOf(FIRING, mapped).payload.severity).toBe('error');
  });

  it('never sends an empty source', () => {
    expect(bodyOf(variant({ labels: { alertname: 'A', cluster: 'eu1', namespace: 'pay' } })).payload.source).toBe('eu1/pay');
    expect(bodyOf(variant({ labels: { alertname: 'A', namespace: 'pay' } })).payload.source).toBe('pay');
    expect(bodyOf(variant({ labels: { alertname: 'A', instance: '' } })).payload.source).toBe('alertmanager');
  });

  it('sends a bare resolve keyed by the fingerprint', () => {
    expect(bodyOf(KIT_ALERTS['resolved-classified']!)).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: FIRING.event.fingerprint });
  });
});

describe('pagerduty send', () => {
  it('returns the dedup key as the external ref', async () => {
    const result = await pagerdutyPublisher.send(pagerdutyPublisher.format(FIRING, ctxFor()), fakeSend({ text: '{"status":"success"}' }));
    expect(result).toEqual({ statusCode: 202, externalRef: FIRING.event.fingerprint });
  });

  it('treats a 2xx whose status is not success as an invalid response', async () => {
    const err = (await pagerdutyPublisher
      .send(pagerdutyPublisher.format(FIRING, ctxFor()), fakeSend({ text: '{"status":"invalid event"}' }))
      .catch((e: unknown) => e)) as PublishError;
    expect(err).toBeInstanceOf(PublishError);
    expect({ reason: err.reason, retryable: err.retryable }).toEqual({ reason: 'invalid_response', retryable: false });
  });

  it('redacts the full routing key when the server echoes it', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400).end(`{"status":"invalid event","errors":["bad key ${ROUTING_KEY}"]}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = pdTarget(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const err = (await pagerdutyPublisher
      .send(pagerdutyPublisher.format(FIRING, ctxFor(target)), { target, http: createHttpSend(target, { timeoutMs: 2000, userAgent: 'test' }) })
      .catch((e: unknown) => e)) as PublishError;
    server.closeAllConnections();
    server.close();
    expect(err.reason).toBe('client_error');
    expect(err.message).not.toContain(ROUTING_KEY);
  });
});

describe('pagerduty validate', () => {
  it('names credentials and url', () => {
    expect(pagerdutyPublisher.validate(kitTarget({ type: 'pagerduty', credentials: undefined }))).toEqual([expect.stringMatching(/^credentials: required/)]);
    expect(pagerdutyPublisher.validate(kitTarget({ type: 'pagerduty', credentials: new Secret('short') }))).toEqual([
      expect.stringMatching(/^credentials: .*32 characters/),
    ]);
    expect(pagerdutyPublisher.validate(pdTarget('ftp://events.example.invalid'))).toEqual(['url: must be http or https']);
    expect(pagerdutyPublisher.validate(pdTarget(undefined))).toEqual([]);
  });
});
