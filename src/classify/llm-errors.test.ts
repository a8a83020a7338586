import { describe, expect, it } from 'vitest';
import { OutboundError } from '../outbound/errors.ts';
import { llmErrorFrom } from './llm-errors.ts';

describe('llmErrorFrom', () => {
  it('keeps a timeout retryable, with the deadline and without the URL', () => {
    const err = llmErrorFrom(new OutboundError('timeout', 'POST https://llm.example.invalid/***: no answer within 900 ms', { timeoutMs: 900 }));
    expect(err).toMatchObject({ kind: 'timeout', message: 'no answer within 900 ms', retryable: true });
  });

  it('names the code of a network failure', () => {
    expect(llmErrorFrom(new OutboundError('network', 'x', { code: 'ECONNREFUSED' }))).toMatchObject({
      kind: 'network',
      message: 'cannot reach the LLM endpoint (ECONNREFUSED)',
      retryable: true,
    });
    expect(llmErrorFrom(new OutboundError('network', 'x')).message).toBe('cannot reach the LLM endpoint');
  });
});
