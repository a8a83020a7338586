import { describe, expect, it } from 'vitest';
import { publisherRegistry } from '../publish/registry.ts';
import { type CustomResource, resolveTarget, type SecretLookup } from './resolve-target.ts';

const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const HOOK = 'https://hooks.slack.com/services/T0/B0/VERYSECRETPATH';
const secrets: Record<string, Record<string, string>> = { pd: { routingKey: KEY }, slack: { url: HOOK }, hook: { auth: 'Bearer hook-secret-token' } };
const lookup: SecretLookup = (_ns, name, key) => {
  const s = secrets[name];
  if (!s) return { found: 'secret-missing' };
  const value = s[key];
  return value === undefined ? { found: 'key-missing' } : { found: 'ok', value };
};
const cr = (spec: unknown): CustomResource => ({ metadata: { name: 'oncall', namespace: 'monitoring', generation: 2 }, spec });

describe('resolveTarget', () => {
  it('resolves Secret references and applies per-type defaults', () => {
    const r = resolveTarget(cr({ type: 'pagerduty', credentialsSecretRef: { name: 'pd', key: 'routingKey' } }), lookup, publisherRegistry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.target).toMatchObject({
      name: 'oncall',
      namespace: 'monitoring',
      source: 'crd',
      enabled: true,
      delivery: { timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 120 },
    });
    expect(r.target.credentials?.reveal()).toBe(KEY);
    expect(r.endpoint).toBe('https://events.pagerduty.com');
    expect(r.message).toBe('credentials resolved from Secret monitoring/pd');
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  it('masks an endpoint that comes from a Secret', () => {
    const r = resolveTarget(cr({ type: 'slack', urlSecretRef: { name: 'slack', key: 'url' } }), lookup, publisherRegistry);
    expect(r.ok && r.endpoint).toBe('https://hooks.slack.com/***');
    expect(JSON.stringify(r)).not.toContain('VERYSECRETPATH');
  });

  it('reads header values from Secrets', () => {
    const r = resolveTarget(
      cr({
        type: 'webhook',
        url: 'https://example.invalid/hook',
        headers: [
          { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'hook', key: 'auth' } } },
          { name: 'X-Team', value: 'sre' },
        ],
      }),
      lookup,
      publisherRegistry,
    );
    expect(r.ok && r.target.headers.map((h) => `${h.name}=${h.value.reveal()}`)).toEqual(['Authorization=Bearer hook-secret-token', 'X-Team=sre']);
    expect(r.secrets).toEqual(['hook']);
  });

  it('names a missing Secret or key, retryably', () => {
    const missing = resolveTarget(cr({ type: 'rootly', credentialsSecretRef: { name: 'nope', key: 'k' } }), lookup, publisherRegistry);
    expect(missing).toMatchObject({
      ok: false,
      reason: 'SecretNotFound',
      message: 'spec.credentialsSecretRef: Secret monitoring/nope not found',
      secrets: ['nope'],
    });
    const key = resolveTarget(cr({ type: 'rootly', credentialsSecretRef: { name: 'pd', key: 'apiKey' } }), lookup, publisherRegistry);
    expect(key).toMatchObject({ ok: false, reason: 'SecretKeyMissing', message: 'spec.credentialsSecretRef: Secret monitoring/pd has no key "apiKey"' });
  });

  it('rejects an invalid spec with the field, never a secret value', () => {
    expect(resolveTarget(cr({ type: 'teams' }), lookup, publisherRegistry)).toMatchObject({ ok: false, reason: 'InvalidSpec' });
    expect(resolveTarget(cr({ type: 'webhook', url: 'https://x.invalid', filter: { alertNamePattern: '(' } }), lookup, publisherRegistry)).toMatchObject({
      reason: 'InvalidSpec',
      message: expect.stringMatching(/^spec.filter.alertNamePattern: "\(" is not a valid RE2 regular expression/) as unknown,
    });
    const bot = resolveTarget(cr({ type: 'slack', credentialsSecretRef: { name: 'pd', key: 'routingKey' } }), lookup, publisherRegistry);
    expect(bot).toMatchObject({ ok: false, reason: 'InvalidSpec' });
    expect(JSON.stringify(bot)).not.toContain(KEY);
    const pdShort = resolveTarget(cr({ type: 'pagerduty', credentialsSecretRef: { name: 'hook', key: 'auth' } }), lookup, publisherRegistry);
    expect(pdShort).toMatchObject({ ok: false, reason: 'InvalidSpec' });
    expect(JSON.stringify(pdShort)).not.toContain('hook-secret-token');
  });
});
