import { describe, expect, it } from 'vitest';
import { errorCode, OutboundError, toOutboundError } from './errors.ts';

const where = { where: 'GET https://api.example.invalid/***', timeoutMs: 300 };

describe('toOutboundError', () => {
  it('reads timeouts and aborts as timeout', () => {
    for (const name of ['TimeoutError', 'AbortError']) {
      const err = toOutboundError(new DOMException('gone', name), where);
      expect(err).toMatchObject({ kind: 'timeout', timeoutMs: 300, message: 'GET https://api.example.invalid/***: no answer within 300 ms' });
    }
  });

  it("reads undici's own header and body deadlines as timeout", () => {
    expect(toOutboundError(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), where).kind).toBe('timeout');
    expect(toOutboundError(Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' }), where).kind).toBe('timeout');
  });

  it("takes a fetch failure's code from its cause, an undici error's from itself", () => {
    const fetchFailure = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
    expect(toOutboundError(fetchFailure, where)).toMatchObject({ kind: 'network', code: 'ENOTFOUND', message: `${where.where}: network error (ENOTFOUND)` });
    expect(errorCode(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe('UND_ERR_SOCKET');
  });

  it('keeps the message free of what the underlying error said', () => {
    const err = toOutboundError(new TypeError('Request cannot be constructed from a URL that includes credentials: https://u:s3cret@x/'), where);
    expect(err).toMatchObject({ kind: 'network', code: undefined, message: `${where.where}: network error` });
    expect(err.cause).toBeUndefined();
  });

  it('passes an OutboundError through and survives values that are not errors', () => {
    const original = new OutboundError('network', 'x');
    expect(toOutboundError(original, where)).toBe(original);
    expect(toOutboundError(undefined, where).kind).toBe('network');
    expect(toOutboundError('boom', where).kind).toBe('network');
  });
});
