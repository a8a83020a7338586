import { describe, expect, it } from 'vitest';
import type { OutboundRequest } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { kitTarget } from '../../test/helpers/publisher-kit.ts';
import { parseRetryAfter, vendorSnippet, withoutUserinfo } from './http.ts';

const request = (url: string, headers: Record<string, string> = {}): OutboundRequest => ({ method: 'POST', url, headers, body: '{}' });

describe('withoutUserinfo', () => {
  it('turns userinfo into a Basic authorization header, as Go clients do', () => {
    const sent = withoutUserinfo(request('https://am%40ops:p%3Ass@am.example.invalid/api/v2/alerts'));
    expect(sent.url).toBe('https://am.example.invalid/api/v2/alerts');
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('am@ops:p:ss').toString('base64')}`);
  });

  it('keeps an authorization header the request already has, and URLs without userinfo', () => {
    expect(withoutUserinfo(request('https://u:p@x.example.invalid/', { Authorization: 'Bearer t' })).headers).toEqual({ Authorization: 'Bearer t' });
    const plain = request('https://x.example.invalid/hook');
    expect(withoutUserinfo(plain)).toBe(plain);
  });
});

describe('vendorSnippet', () => {
  it('redacts before cutting, so no start of a secret survives at the cut', () => {
    const target = kitTarget({ type: 'webhook', url: new Secret('https://x.example.invalid/hook/SEGMENT0123456789') });
    const text = `${'a'.repeat(95)} SEGMENT0123456789 tail`;
    const snippet = vendorSnippet(target, text, 100);
    expect(snippet).not.toContain('SEG');
    expect(snippet).toHaveLength(99);
  });

  it('folds whitespace', () => {
    expect(vendorSnippet(kitTarget({ type: 'webhook' }), '  a\n\n b\t c ')).toBe('a b c');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
