import { describe, expect, it, vi } from 'vitest';
import type { DeliveryAlert, FormatContext, OutboundResponse, SendContext, Target } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { KIT_ALERTS, kitTarget, runPublisherKit } from '../../test/helpers/publisher-kit.ts';
import { type RootlyPayload, rootlyPublisher } from './rootly.ts';

runPublisherKit({
  publisher: rootlyPublisher,
  target: (url) => kitTarget({ type: 'rootly', url: new Secret(url) }),
  success: { status: 201, body: '{"data":{"id":"abc","type":"alerts"}}' },
  resolveRef: 'abc',
});

const FIRING = KIT_ALERTS['firing-classified']!;
const RESOLVED = KIT_ALERTS['resolved-classified']!;

function ctxFor(options: { target?: Target; externalRef?: string } = {}): FormatContext {
  return { target: options.target ?? kitTarget({ type: 'rootly' }), externalRef: options.externalRef, dashboardUrl: 'https://ah.example.invalid' };
}

function attributesOf(alert: DeliveryAlert, ctx = ctxFor()): Record<string, unknown> {
  const payload = rootlyPublisher.format(alert, ctx);
  if (payload.action !== 'create') throw new Error(`expected create, got ${payload.action}`);
  return (JSON.parse(payload.request.body) as { data: { attributes: Record<string, unknown> } }).data.attributes;
}

function fakeSend(reply: Partial<OutboundResponse>): SendContext & { http: ReturnType<typeof vi.fn> } {
  const http = vi.fn(() => Promise.resolve({ status: 201, headers: new Headers(), text: '', ...reply }));
  return { target: kitTarget({ type: 'rootly' }), http };
}

describe('rootly format', () => {
  it('creates at the default base with a bearer key and the JSON:API type', () => {
    const payload = rootlyPublisher.format(FIRING, ctxFor()) as Extract<RootlyPayload, { action: 'create' }>;
    expect(payload.request.url).toBe('https://api.rootly.com/v1/alerts');
    expect(payload.request.headers).toMatchObject({ authorization: expect.stringMatching(/^Bearer /) as unknown, 'content-type': 'application/vnd.api+json' });
  });

  it('sends labels as key/value pairs', () => {
    expect(attributesOf(FIRING).labels).toEqual(Object.entries(FIRING.event.labels).map(([key, value]) => ({ key, value })));
  });

  it('sets the noise flag from the classified severity, and only when classified', () => {
    expect(attributesOf({ ...FIRING, classification: { ...FIRING.classification!, severity: 'noise' } }).noise).toBe('noise');
    expect(attributesOf(FIRING).noise).toBe('not_noise');
    expect(attributesOf(KIT_ALERTS['firing-unclassified']!)).not.toHaveProperty('noise');
  });

  it('writes a short summary, the configured source and the fingerprint as keys', () => {
    const target = kitTarget({ type: 'rootly', options: { rootly: { source: 'alertmanager' } } });
    const attributes = attributesOf(FIRING, ctxFor({ target }));
    expect(attributes).toMatchObject({
      source: 'alertmanager',
      summary: '[critical] KubePodCrashLooping payments/payments-api-6f7c9d8b4-7xk2p',
      external_id: FIRING.event.fingerprint,
      deduplication_key: FIRING.event.fingerprint,
      started_at: FIRING.event.startsAt,
    });
    expect(attributesOf(FIRING).source).toBe('api');
  });

  it('resolves the stored id', () => {
    const payload = rootlyPublisher.format(RESOLVED, ctxFor({ externalRef: 'abc/1' })) as Extract<RootlyPayload, { action: 'resolve' }>;
    expect(payload.request.url).toBe('https://api.rootly.com/v1/alerts/abc%2F1/resolve');
    expect(JSON.parse(payload.request.body)).toEqual({
      data: { type: 'alerts', attributes: { resolution_message: `Resolved in Alertmanager at ${RESOLVED.event.endsAt}`, resolve_related_incidents: false } },
    });
  });
});

describe('rootly send', () => {
  it('returns data.id as the external ref', async () => {
    const ctx = fakeSend({ text: '{"data":{"id":"r-42","type":"alerts"}}' });
    await expect(rootlyPublisher.send(rootlyPublisher.format(FIRING, ctxFor()), ctx)).resolves.toEqual({ statusCode: 201, externalRef: 'r-42' });
  });

  it('treats a 2xx without data.id as an invalid response', async () => {
    const err = (await rootlyPublisher
      .send(rootlyPublisher.format(FIRING, ctxFor()), fakeSend({ text: '{"data":{}}' }))
      .catch((e: unknown) => e)) as PublishError;
    expect(err).toBeInstanceOf(PublishError);
    expect(err.reason).toBe('invalid_response');
  });

  it('fails a resolve without a stored id for good, sending nothing', async () => {
    const ctx = fakeSend({});
    const err = (await rootlyPublisher.send(rootlyPublisher.format(RESOLVED, ctxFor()), ctx).catch((e: unknown) => e)) as PublishError;
    expect(err).toBeInstanceOf(PublishError);
    expect({ reason: err.reason, retryable: err.retryable }).toEqual({ reason: 'client_error', retryable: false });
    expect(err.message).toMatch(/id .* unknown/);
    expect(ctx.http).not.toHaveBeenCalled();
  });
});

describe('rootly validate', () => {
  it('names credentials and url', () => {
    expect(rootlyPublisher.validate(kitTarget({ type: 'rootly', credentials: undefined }))).toEqual([expect.stringMatching(/^credentials: required/)]);
    expect(rootlyPublisher.validate(kitTarget({ type: 'rootly', url: new Secret('not a url') }))).toEqual(['url: not a valid URL']);
    expect(rootlyPublisher.validate(kitTarget({ type: 'rootly' }))).toEqual([]);
  });
});
