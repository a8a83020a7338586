import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { maskUrl, redact, Secret, secretsOf, sensitiveFragments } from './secret.ts';

const SLACK = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx';

describe('Secret', () => {
  it('prints *** everywhere except reveal()', () => {
    const s = new Secret('xoxb-1-2-secret');
    expect(`${String(s)} ${JSON.stringify({ s })} ${inspect(s)}`).toBe('*** {"s":"***"} Secret(***)');
    expect(s.reveal()).toBe('xoxb-1-2-secret');
  });
});

describe('maskUrl', () => {
  it('keeps scheme and host only', () => {
    expect(maskUrl(SLACK)).toBe('https://hooks.slack.com/***');
    expect(maskUrl('http://u:p@127.0.0.1:8080')).toBe('http://127.0.0.1:8080/***');
    expect(maskUrl('https://events.pagerduty.com/')).toBe('https://events.pagerduty.com');
    expect(maskUrl('not a url')).toBe('***');
  });
});

describe('redact by structure', () => {
  it('masks every secret-bearing path segment of a webhook URL, keeping route words', () => {
    const echo = 'no such hook: POST /services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx (team T0123ABCD)';
    expect(redact(echo, [new Secret(SLACK)])).toBe('no such hook: POST /services/***/***/*** (team ***)');
  });

  it('masks query values and userinfo in raw, decoded, re-encoded and form-encoded forms', () => {
    const url = new Secret('https://bobby:pa%24%24word@example.invalid/echo?token=SECRET%20Q%2B1&x=1');
    const texts = ['SECRET Q+1', 'SECRET%20Q%2B1', 'SECRET%20Q%2b1', 'SECRET+Q%2B1', 'pa$$word', 'pa%24%24word', 'Basic Ym9iYnk6cGEkJHdvcmQ=', 'user bobby'];
    for (const text of texts) expect(redact(text, [url]), text).not.toMatch(/SECRET|pa\$\$|pa%24|Ym9iYnk6cGEkJHdvcmQ=|bobby/);
    expect(redact('GET /echo?token=SECRET%20Q%2B1&x=1', [url])).toBe('GET /echo?token=***&x=1');
  });

  it('masks whole credentials and header values, also JSON-escaped', () => {
    const secrets = secretsOf({ credentials: new Secret('to"ken-0123'), headers: [{ value: new Secret('hdr-secret-9') }] });
    expect(redact('{"key":"to\\"ken-0123","h":"hdr-secret-9"}', secrets)).toBe('{"key":"***","h":"***"}');
  });

  it('masks the longest fragment first, so no tail of a longer secret survives', () => {
    expect(redact('abcdefgh and abcd', ['abcd', 'abcdefgh'])).toBe('*** and ***');
  });

  it('leaves short fragments and route words readable', () => {
    const url = new Secret('https://example.invalid/api/v1/alertmanager/hooks/webhook?x=1&on=yes');
    expect(sensitiveFragments([url]).filter((f) => !f.includes('example.invalid'))).toEqual([]);
    expect(redact('api v1 alertmanager hooks webhook x=1 on=yes', [url])).toBe('api v1 alertmanager hooks webhook x=1 on=yes');
    expect(redact('abc', ['abc'])).toBe('abc');
  });

  it('treats a segment with a digit, an upper-case letter or 16+ characters as secret-bearing', () => {
    const url = new Secret('https://example.invalid/hooks/catch/9l2x/Abcd/abcdefghijklmnop/plainword');
    expect(redact('9l2x Abcd abcdefghijklmnop plainword hooks', [url])).toBe('*** *** *** plainword hooks');
  });

  it('ignores undefined and empty secrets', () => {
    expect(redact('nothing to hide', [undefined, new Secret(''), ''])).toBe('nothing to hide');
  });
});
