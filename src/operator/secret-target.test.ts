import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KIT_ALERTS } from '../../test/helpers/publisher-kit.ts';
import type { FormatContext, Target } from '../core/publishing.ts';
import { maskUrl } from '../core/secret.ts';
import { jsonHeaders } from '../publish/http.ts';
import { pagerdutyPublisher } from '../publish/pagerduty.ts';
import { publisherRegistry } from '../publish/registry.ts';
import { rootlyPublisher } from '../publish/rootly.ts';
import { webhookPublisher } from '../publish/webhook.ts';
import { isTargetSecret, parseTargetSecret, type SecretObject, type SecretParse, TARGET_SECRET_LABELS } from './secret-target.ts';

const DIR = fileURLToPath(new URL('../../test/fixtures/secrets/', import.meta.url));
const FIXTURES = readdirSync(DIR)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.slice(0, -'.yaml'.length))
  .sort();
const FIRING = KIT_ALERTS['firing-classified']!;
const LABELS = { 'publishing-target': 'true' };

function fixture(name: string): SecretObject {
  return parse(readFileSync(`${DIR}${name}.yaml`, 'utf8')) as SecretObject;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A labelled Secret in monitoring with `data` encoded from plain text. */
function crafted(name: string, plain: Record<string, string>, extra: Partial<SecretObject> = {}): SecretObject {
  const data = Object.fromEntries(Object.entries(plain).map(([key, value]) => [key, b64(value)]));
  return { metadata: { name, namespace: 'monitoring', labels: LABELS }, data, ...extra };
}

function run(secret: SecretObject): SecretParse {
  return parseTargetSecret(secret, publisherRegistry);
}

function accepted(secret: SecretObject): Target {
  const result = run(secret);
  if (!result.ok) throw new Error(`expected a target, got: ${result.reason}`);
  return result.target;
}

function rejected(secret: SecretObject): string {
  const result = run(secret);
  if (result.ok) throw new Error(`expected a rejection, got target ${result.target.name}`);
  expect(result.reason).not.toMatch(/[\r\n]/);
  return result.reason;
}

function headersOf(target: Target): Record<string, string> {
  return Object.fromEntries(target.headers.map((h) => [h.name, h.value.reveal()]));
}

function ctx(target: Target): FormatContext {
  return { target, externalRef: undefined, dashboardUrl: undefined };
}

const DECODE_SCHEMES = /^(?:Bearer|Token)\s+/;
/** Keys whose values are credentials or secret URLs in the flat format. */
const SECRET_KEYS = ['url', 'webhook-url', 'auth-header', 'api-key', 'token'];

/** Every credential-like value a Secret holds, in both formats, with and without an auth scheme. */
function secretValuesOf(secret: SecretObject): string[] {
  const decoded = new Map(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) decoded.set(key, value);
  const values = SECRET_KEYS.map((key) => decoded.get(key)).filter((v): v is string => v !== undefined);
  const config = decoded.get('config') ?? decoded.get('target.json');
  if (config !== undefined) {
    try {
      const json = JSON.parse(config) as { url?: string; headers?: Record<string, string> };
      values.push(...[json.url, ...Object.values(json.headers ?? {})].filter((v): v is string => typeof v === 'string'));
    } catch {
      values.push(config);
    }
  }
  return values.flatMap((v) => [v.trim(), v.trim().replace(DECODE_SCHEMES, '')]).filter((v) => v.length >= 4);
}

function expectNoLeak(secret: SecretObject, extra: string[] = []): void {
  const result = run(secret);
  const shown = result.ok ? JSON.stringify(result.target) : result.reason;
  for (const value of [...secretValuesOf(secret), ...extra]) expect(shown).not.toContain(value);
}

describe('the fixtures', () => {
  const covered = new Set<string>();
  const check = (name: string, test: () => void): void => {
    covered.add(name);
    it(name, test);
  };

  check('config-json-slack', () => {
    const target = accepted(fixture('config-json-slack'));
    expect(target).toMatchObject({
      name: 'platform-slack',
      namespace: 'monitoring',
      source: 'secret',
      type: 'slack',
      enabled: true,
      credentials: undefined,
      headers: [],
    });
    expect(maskUrl(target.url?.reveal())).toBe('https://hooks.example.invalid/***');
    expect(target.url?.reveal()).toBe('https://hooks.example.invalid/services/T0000FAKE/B1111FAKE/anotherFakeToken0000');
    expect(target.filter).toEqual({ severities: ['critical', 'warning'], namespaces: ['platform'], excludeNoise: true, minConfidence: 0.5 });
    expect(target.delivery).toEqual({ timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 60 });
  });

  check('config-json-pagerduty', () => {
    const target = accepted(fixture('config-json-pagerduty'));
    expect(target).toMatchObject({ name: 'pagerduty-platform', type: 'pagerduty', enabled: true, headers: [] });
    expect(target.credentials?.reveal()).toBe('FAKEROUTINGKEY1111111111111111CD');
    expect(target.url?.reveal()).toBe('https://pagerduty.example.invalid');
    expect(target.filter).toEqual({ severities: ['critical'], excludeNoise: true });
    expect(target.delivery.ratePerMinute).toBe(120);
    const request = pagerdutyPublisher.format(FIRING, ctx(target)).request;
    expect(request.url).toBe('https://pagerduty.example.invalid/v2/enqueue');
    expect((JSON.parse(request.body) as { routing_key: string }).routing_key).toBe('FAKEROUTINGKEY1111111111111111CD');
    expect(Object.keys(request.headers).map((h) => h.toLowerCase())).not.toContain('routing_key');
  });

  check('config-json-webhook-defaults', () => {
    const target = accepted(fixture('config-json-webhook-defaults'));
    expect(target).toMatchObject({ name: 'generic-webhook', type: 'webhook', enabled: true, headers: [], credentials: undefined });
    expect(maskUrl(target.url?.reveal())).toBe('https://receiver.example.invalid/***');
    expect(target.filter).toEqual({ excludeNoise: true });
  });

  check('config-json-invalid-name', () => {
    const reason = rejected(fixture('config-json-invalid-name'));
    expect(reason).toBe(
      'Secret monitoring/invalid-name: key "config" field "name": "Team_Alerts" is not a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters)',
    );
  });

  check('flat-missing-url', () => {
    expect(rejected(fixture('flat-missing-url'))).toBe('Secret monitoring/broken-target: key "url" (or "webhook-url"): required');
  });

  check('flat-pagerduty-api-key', () => {
    const target = accepted(fixture('flat-pagerduty-api-key'));
    expect(target).toMatchObject({ name: 'pagerduty-sre', type: 'pagerduty', enabled: true, headers: [] });
    expect(target.credentials?.reveal()).toBe('FAKEROUTINGKEY0000000000000000AB');
    expect(target.credentials?.reveal()).toHaveLength(32);
    expect(target.url?.reveal()).toBe('https://pagerduty.example.invalid');
    expect(target.filter).toEqual({ severities: ['critical'], excludeNoise: true });
    expect(pagerdutyPublisher.format(FIRING, ctx(target)).request.url).toBe('https://pagerduty.example.invalid/v2/enqueue');
  });

  check('flat-rootly-auth-header', () => {
    const target = accepted(fixture('flat-rootly-auth-header'));
    expect(target).toMatchObject({ name: 'rootly-prod', type: 'rootly', headers: [] });
    expect(target.credentials?.reveal()).toBe('rootly_FAKE_0000000000000000000000000000');
    const payload = rootlyPublisher.format(FIRING, ctx(target));
    if (payload.action !== 'create') throw new Error('expected a create');
    expect(payload.request.url).toBe('https://rootly.example.invalid/v1/alerts');
    expect(payload.request.headers.authorization).toBe('Bearer rootly_FAKE_0000000000000000000000000000');
  });

  check('flat-slack-filtered', () => {
    const target = accepted(fixture('flat-slack-filtered'));
    expect(target).toMatchObject({ name: 'payments-slack', namespace: 'monitoring', type: 'slack', enabled: true, credentials: undefined });
    expect(maskUrl(target.url?.reveal())).toBe('https://hooks.example.invalid/***');
    expect(headersOf(target)).toEqual({ 'X-Team': 'payments' });
    expect(target.filter).toEqual({
      severities: ['critical', 'warning'],
      namespaces: ['payments', 'checkout'],
      excludeNoise: true,
      minConfidence: 0.6,
      alertNamePattern: '^(Kube|Node).*',
    });
  });

  check('flat-token-disabled', () => {
    const target = accepted(fixture('flat-token-disabled'));
    expect(target).toMatchObject({ name: 'legacy-ticketing', type: 'webhook', enabled: false, credentials: undefined });
    expect(headersOf(target)).toEqual({ Authorization: 'Token tok_FAKE_123456' });
    expect(webhookPublisher.format(FIRING, ctx(target)).headers.Authorization).toBe('Token tok_FAKE_123456');
  });

  check('flat-webhook-minimal', () => {
    const target = accepted(fixture('flat-webhook-minimal'));
    expect(target).toMatchObject({ name: 'audit-webhook', type: 'webhook', enabled: true, headers: [], credentials: undefined });
    expect(maskUrl(target.url?.reveal())).toBe('https://audit.example.invalid/***');
    expect(jsonHeaders(target)).toEqual({ 'content-type': 'application/json' });
    expect(target.filter).toEqual({ excludeNoise: true });
    expect(target.delivery).toEqual({ timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 600 });
  });

  check('unlabelled-ignored', () => {
    const secret = fixture('unlabelled-ignored');
    expect(isTargetSecret(secret.metadata.labels)).toBe(false);
    expect(rejected(secret)).toBe('Secret monitoring/not-a-target: not labelled publishing-target=true or alert-history.io/target=true');
  });

  it('covers every fixture file', () => {
    expect([...covered].sort()).toEqual(FIXTURES);
  });

  it.each(FIXTURES)('%s leaks no secret value in its reason or target JSON', (name) => {
    expectNoLeak(fixture(name));
  });
});

describe('labels', () => {
  it('accepts either label key with the value true', () => {
    expect(TARGET_SECRET_LABELS.map((l) => l.key)).toEqual(['publishing-target', 'alert-history.io/target']);
    expect(isTargetSecret({ 'publishing-target': 'true' })).toBe(true);
    expect(isTargetSecret({ 'alert-history.io/target': 'true' })).toBe(true);
    expect(isTargetSecret({ 'publishing-target': 'true', 'alert-history.io/target': 'true' })).toBe(true);
    expect(isTargetSecret({ 'publishing-target': 'false' })).toBe(false);
    expect(isTargetSecret({})).toBe(false);
    expect(isTargetSecret(undefined)).toBe(false);
  });

  it('parses a Secret labelled only alert-history.io/target', () => {
    const secret = crafted('alt', { url: 'https://hook.example.invalid/x' });
    secret.metadata.labels = { 'alert-history.io/target': 'true' };
    expect(accepted(secret).name).toBe('alt');
  });
});

describe('decoding', () => {
  it('lets stringData win over data for the same key', () => {
    const secret = crafted(
      'override',
      { url: 'https://old.example.invalid/x', 'target-name': 'from-data' },
      { stringData: { url: 'https://new.example.invalid/y' } },
    );
    const target = accepted(secret);
    expect(target.url?.reveal()).toBe('https://new.example.invalid/y');
    expect(target.name).toBe('from-data');
  });

  it('rejects invalid base64 naming the key', () => {
    const secret = crafted('bad-b64', { url: 'https://hook.example.invalid/x' });
    secret.data!.token = 'not*base64!';
    expect(rejected(secret)).toBe('Secret monitoring/bad-b64: key "token": not valid base64');
  });

  it('rejects unpadded base64 too (strict)', () => {
    const secret = crafted('bad-pad', {});
    secret.data!.url = 'aHR0cA';
    expect(rejected(secret)).toBe('Secret monitoring/bad-pad: key "url": not valid base64');
  });

  it('rejects bytes that are not UTF-8 naming the key', () => {
    const secret = crafted('bad-utf8', { url: 'https://hook.example.invalid/x' });
    secret.data!['api-key'] = Buffer.from([0xff, 0xfe, 0x41]).toString('base64');
    expect(rejected(secret)).toBe('Secret monitoring/bad-utf8: key "api-key": not UTF-8 text');
  });

  it('trims the newline `echo | base64` leaves behind', () => {
    const target = accepted(crafted('echoed', { url: 'https://hook.example.invalid/x\n', token: 'tok_abcdef\n' }));
    expect(target.url?.reveal()).toBe('https://hook.example.invalid/x');
    expect(headersOf(target)).toEqual({ Authorization: 'Token tok_abcdef' });
  });

  it('reads target.json when there is no config key', () => {
    const target = accepted(crafted('tj', { 'target.json': JSON.stringify({ type: 'webhook', url: 'https://hook.example.invalid/x' }) }));
    expect(target).toMatchObject({ name: 'tj', type: 'webhook' });
  });

  it('never quotes invalid JSON, which may hold the URL', () => {
    const secret = crafted('bad-json', { config: '{"url": "https://hooks.example.invalid/services/T/B/sekritTokenValue", oops}' });
    expect(rejected(secret)).toBe('Secret monitoring/bad-json: key "config": not valid JSON');
    expectNoLeak(secret, ['sekritTokenValue']);
  });
});

describe('types and formats', () => {
  it('rejects an unknown type listing ours', () => {
    expect(rejected(crafted('ops', { url: 'https://x.example.invalid/h', type: 'opsgenie' }))).toBe(
      'Secret monitoring/ops: key "type": "opsgenie" is not a type we support (slack, pagerduty, rootly, webhook, alertmanager)',
    );
  });

  it('rejects an unknown legacy format listing ours', () => {
    const reason = rejected(crafted('teams', { config: JSON.stringify({ url: 'https://x.example.invalid/h', format: 'msteams' }) }));
    expect(reason).toBe(
      'Secret monitoring/teams: key "config" field "format": "msteams" is not a format we support (slack, pagerduty, rootly, webhook, alertmanager)',
    );
  });

  it('rejects a format that contradicts the type', () => {
    const secret = crafted('mismatch', { config: JSON.stringify({ type: 'slack', format: 'pagerduty', url: 'https://hooks.example.invalid/s' }) });
    expect(rejected(secret)).toBe(
      'Secret monitoring/mismatch: key "config" field "format": "pagerduty" does not fit type "slack" (leave it out or make it "slack")',
    );
  });

  it('takes the type from the format when there is no type', () => {
    expect(accepted(crafted('f-slack', { url: 'https://hooks.example.invalid/s', format: 'Slack' })).type).toBe('slack');
  });

  it('maps the legacy alertmanager payload format to our webhook, but keeps an explicit alertmanager type', () => {
    expect(accepted(crafted('am-format', { url: 'https://r.example.invalid/hook', format: 'alertmanager' })).type).toBe('webhook');
    const target = accepted(crafted('am-type', { url: 'https://am.example.invalid', type: 'alertmanager', format: 'alertmanager' }));
    expect(target.type).toBe('alertmanager');
  });

  it('names the Secret name when it is no DNS-1123 label and no target name is set', () => {
    expect(rejected(crafted('team.alerts', { url: 'https://x.example.invalid/h' }))).toBe(
      'Secret monitoring/team.alerts: metadata.name "team.alerts" is not a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters); set a target name',
    );
  });

  it('rejects a target name longer than 63 characters', () => {
    const reason = rejected(crafted('long', { url: 'https://x.example.invalid/h', 'target-name': 'a'.repeat(64) }));
    expect(reason).toMatch(/^Secret monitoring\/long: key "target-name": "a{64}" is not a DNS-1123 label/);
    const huge = rejected(crafted('huge', { url: 'https://x.example.invalid/h', 'target-name': 'a'.repeat(70) }));
    expect(huge).toMatch(/^Secret monitoring\/huge: key "target-name": a value of 70 characters is not a DNS-1123 label/);
  });
});

describe('credentials and headers', () => {
  it('moves a Rootly key from the config headers into credentials', () => {
    const config = { type: 'rootly', url: 'https://rootly.example.invalid/v1/alerts/', headers: { Authorization: 'Bearer rk_0123456789', 'X-Env': 'prod' } };
    const target = accepted(crafted('rootly-json', { config: JSON.stringify(config) }));
    expect(target.credentials?.reveal()).toBe('rk_0123456789');
    expect(target.url?.reveal()).toBe('https://rootly.example.invalid');
    expect(headersOf(target)).toEqual({ 'X-Env': 'prod' });
  });

  it('sends api-key as Bearer for non-credential types and lets it replace a header-Authorization', () => {
    const target = accepted(crafted('bearer', { url: 'https://x.example.invalid/h', 'api-key': 'abc123456', 'header-Authorization': 'Basic zzz' }));
    expect(headersOf(target)).toEqual({ Authorization: 'Bearer abc123456' });
    expect(target.credentials).toBeUndefined();
  });

  it('prefers auth-header over api-key over token', () => {
    const target = accepted(crafted('prec', { url: 'https://x.example.invalid/h', token: 't-0000', 'api-key': 'k-0000', 'auth-header': 'Custom a-0000' }));
    expect(headersOf(target)).toEqual({ Authorization: 'Custom a-0000' });
  });

  it('drops a legacy Content-Type header that publishers set themselves', () => {
    const target = accepted(
      crafted('ct', { config: JSON.stringify({ url: 'https://x.example.invalid/h', headers: { 'Content-Type': 'application/json', 'X-A': 'b' } }) }),
    );
    expect(headersOf(target)).toEqual({ 'X-A': 'b' });
  });

  it('rejects a header value with a line break without quoting it', () => {
    const secret = crafted('crlf', { url: 'https://x.example.invalid/h', 'header-X-Auth': 'abc\r\nX-Evil: sekrit-header-value' });
    expect(rejected(secret)).toBe('Secret monitoring/crlf: key "header-X-Auth": the header value holds a line break or NUL');
    expectNoLeak(secret, ['sekrit-header-value']);
  });

  it('reports a wrong-length routing key by field and key, not by value', () => {
    const secret = crafted('pd-short', { url: 'https://events.pagerduty.com', type: 'pagerduty', 'api-key': 'SHORTROUTINGKEY' });
    expect(rejected(secret)).toBe('Secret monitoring/pd-short: credentials: the PagerDuty routing key must be 32 characters (from key "api-key")');
    expectNoLeak(secret);
  });

  it('reports a missing PagerDuty key', () => {
    expect(rejected(crafted('pd-none', { url: 'https://events.pagerduty.com', format: 'pagerduty' }))).toBe(
      'Secret monitoring/pd-none: credentials: required (the PagerDuty routing key)',
    );
  });
});

describe('urls', () => {
  it('rejects an invalid URL containing a token without showing it', () => {
    const secret = crafted('bad-url', { 'webhook-url': 'hooks.example.invalid/services/T/B/tok_SECRET_98765', format: 'slack' });
    expect(rejected(secret)).toBe('Secret monitoring/bad-url: url: not a valid URL (from key "webhook-url")');
    expectNoLeak(secret, ['tok_SECRET_98765']);
  });

  it('rejects a non-http URL with credentials in it without showing them', () => {
    const secret = crafted('ftp', { url: 'ftp://user:pa55word-xyz@files.example.invalid/drop' });
    expect(rejected(secret)).toBe('Secret monitoring/ftp: url: must be http or https (from key "url")');
    expectNoLeak(secret, ['pa55word-xyz']);
  });

  it('prefers url over webhook-url', () => {
    const target = accepted(crafted('both', { url: 'https://a.example.invalid/1', 'webhook-url': 'https://b.example.invalid/2' }));
    expect(target.url?.reveal()).toBe('https://a.example.invalid/1');
  });
});

describe('filters', () => {
  const base = { url: 'https://x.example.invalid/h' };

  it('normalises legacy severity words and drops duplicates', () => {
    const target = accepted(crafted('sev', { ...base, 'filter-severity': 'CRIT, error,warn, Info,' }));
    expect(target.filter.severities).toEqual(['critical', 'warning', 'info']);
  });

  it('rejects an unknown severity naming the key', () => {
    expect(rejected(crafted('sev-bad', { ...base, 'filter-severity': 'critical,urgent' }))).toBe(
      'Secret monitoring/sev-bad: key "filter-severity": "urgent" is not a severity (critical, warning, info, noise)',
    );
  });

  it('rejects a namespace that is no DNS-1123 label', () => {
    expect(rejected(crafted('ns-bad', { ...base, 'filter-namespaces': 'ok,Not_OK' }))).toMatch(
      /^Secret monitoring\/ns-bad: key "filter-namespaces": "Not_OK" is not a namespace name/,
    );
  });

  it.each(['1.5', '-0.1', 'abc', '0x1'])('rejects min-confidence %s', (value) => {
    expect(rejected(crafted('conf', { ...base, 'min-confidence': value }))).toBe('Secret monitoring/conf: key "min-confidence": must be a number from 0 to 1');
  });

  it('rejects an out-of-range min_confidence in the config JSON', () => {
    const reason = rejected(crafted('conf-json', { config: JSON.stringify({ ...base, filter_config: { min_confidence: 2 } }) }));
    expect(reason).toBe('Secret monitoring/conf-json: key "config" field "filter_config.min_confidence": must be a number from 0 to 1');
  });

  it('accepts the bounds 0 and 1', () => {
    expect(accepted(crafted('c0', { ...base, 'min-confidence': '0' })).filter.minConfidence).toBe(0);
    expect(accepted(crafted('c1', { ...base, 'min-confidence': '1' })).filter.minConfidence).toBe(1);
  });

  it('rejects an alert-name pattern that does not compile', () => {
    expect(rejected(crafted('re', { ...base, 'alert-name-pattern': '(Kube|Node' }))).toMatch(
      /^Secret monitoring\/re: key "alert-name-pattern": "\(Kube\|Node" is not a valid RE2 regular expression/,
    );
  });

  it('rejects RE2-incompatible syntax the way Alertmanager does', () => {
    expect(rejected(crafted('re-u', { ...base, 'alert-name-pattern': '(a)\\1' }))).toMatch(/uses a backreference, which RE2 syntax does not support$/);
  });

  it.each([
    ['yes', true],
    ['1', true],
    ['TRUE', true],
    ['no', false],
    ['0', false],
    ['False', false],
  ])('reads enabled %s as %s', (value, expected) => {
    expect(accepted(crafted('b', { ...base, enabled: value, 'exclude-noise': value })).enabled).toBe(expected);
  });

  it('rejects a boolean it cannot read', () => {
    expect(rejected(crafted('b-bad', { ...base, 'exclude-noise': 'maybe' }))).toBe(
      'Secret monitoring/b-bad: key "exclude-noise": must be true, false, 1, 0, yes or no',
    );
  });

  it('reads exclude-noise false', () => {
    expect(accepted(crafted('noise', { ...base, 'exclude-noise': 'false' })).filter.excludeNoise).toBe(false);
  });

  it('defaults enabled to true in the config JSON even when headers or filter_config are present', () => {
    const target = accepted(crafted('en', { config: JSON.stringify({ ...base, headers: { 'X-A': 'b' } }) }));
    expect(target.enabled).toBe(true);
  });

  it('rejects a wrongly typed JSON field naming it', () => {
    expect(rejected(crafted('shape', { config: JSON.stringify({ ...base, filter_config: [] }) }))).toBe(
      'Secret monitoring/shape: key "config" field "filter_config": must be a JSON object',
    );
    expect(rejected(crafted('shape2', { config: JSON.stringify({ url: { href: 'x' } }) }))).toBe(
      'Secret monitoring/shape2: key "config" field "url": must be a string',
    );
  });
});

describe('secret values', () => {
  it('never appear in the JSON of a target', () => {
    const secret = crafted('all', {
      url: 'https://x.example.invalid/hook/sekrit-path-0001',
      'auth-header': 'Bearer sekrit-bearer-0002',
      'header-X-Api': 'sekrit-header-0003',
    });
    const target = accepted(secret);
    const json = JSON.stringify(target);
    for (const value of ['sekrit-path-0001', 'sekrit-bearer-0002', 'sekrit-header-0003']) expect(json).not.toContain(value);
    expect(headersOf(target)).toEqual({ 'X-Api': 'sekrit-header-0003', Authorization: 'Bearer sekrit-bearer-0002' });
  });

  it('never appear in a reason caused by another key', () => {
    const secret = crafted('other', { url: 'https://x.example.invalid/hook/sekrit-path-0004', 'api-key': 'sekrit-key-0005', 'min-confidence': '7' });
    expect(rejected(secret)).toBe('Secret monitoring/other: key "min-confidence": must be a number from 0 to 1');
    expectNoLeak(secret, ['sekrit-path-0004', 'sekrit-key-0005']);
  });

  it('are not quoted when put in a field we would otherwise show', () => {
    const secret = crafted('misplaced', { url: 'https://x.example.invalid/h', type: 'https://x.example.invalid/sekrit-0006' });
    expect(rejected(secret)).toBe(
      'Secret monitoring/misplaced: key "type": a value of 37 characters is not a type we support (slack, pagerduty, rootly, webhook, alertmanager)',
    );
  });
});
