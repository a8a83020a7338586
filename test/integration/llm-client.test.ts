// The LLM client against a local OpenAI-compatible server that validates requests strictly.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completionsUrl, createLlmClient, type LlmClientOptions } from '../../src/classify/llm-client.ts';
import { LlmError, parseRetryAfter } from '../../src/classify/llm-errors.ts';
import type { ClassifiableAlert } from '../../src/core/classification.ts';
import { type FakeLlm, startFakeLlm, VALID_VERDICT } from '../helpers/fake-llm.ts';

const KEY = 'sk-test-0123456789abcdef';
const MODEL = 'gpt-4o-mini';
const alert: ClassifiableAlert = {
  fingerprint: '44a691f422eafef8',
  status: 'firing',
  labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', severity: 'warning' },
  annotations: { summary: 'Container keeps restarting' },
};

let llm: FakeLlm;
const client = (overrides: Partial<LlmClientOptions> = {}) =>
  createLlmClient({ baseUrl: llm.url, apiKey: KEY, model: MODEL, timeoutMs: 2_000, maxRetryAfterMs: 50, ...overrides });

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: KEY, model: MODEL });
});
afterAll(async () => {
  await llm.close();
});
afterEach(() => {
  expect(llm.violations).toEqual([]);
  llm.requests.length = 0;
});

describe('LLM client', () => {
  it('sends a strict json_schema request at temperature 0 and returns the validated verdict', async () => {
    const answer = await client().classify(alert);
    expect(answer.verdict).toEqual(VALID_VERDICT);
    expect(answer.attempts).toBe(1);
    const body = llm.requests[0]!.body as { temperature: number; response_format: { type: string; json_schema: { name: string } } };
    expect(body.temperature).toBe(0);
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('alert_classification');
    expect(llm.requests[0]!.path).toBe('/v1/chat/completions');
    expect(llm.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('works with a /v1 base, a LiteLLM proxy root and the x-litellm-api-key header', async () => {
    expect(completionsUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1/chat/completions');
    expect(completionsUrl('http://litellm:4000')).toBe('http://litellm:4000/v1/chat/completions');
    expect(completionsUrl('http://litellm:4000/chat/completions')).toBe('http://litellm:4000/chat/completions');
    await client({ baseUrl: `${llm.url}/chat/completions`, authHeader: 'x-litellm-api-key' }).classify(alert);
    expect(llm.requests[0]!.path).toBe('/chat/completions');
    expect(llm.requests[0]!.headers['x-litellm-api-key']).toBe(KEY);
    expect(llm.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('steps down to json_object when the endpoint rejects json_schema, and stays there', async () => {
    const c = client();
    llm.script({ kind: 'reject_json_schema' });
    expect((await c.classify(alert)).verdict.severity).toBe('critical');
    expect(c.responseFormat()).toBe('json_object');
    await c.classify(alert);
    const formats = llm.requests.map((r) => (r.body.response_format as { type: string }).type);
    expect(formats).toEqual(['json_schema', 'json_object', 'json_object']);
  });

  it('fails, never guesses, on invalid JSON, a truncated reply and a refusal', async () => {
    llm.script({ kind: 'invalid_json' }, { kind: 'length' }, { kind: 'refusal' });
    expect((await failure(client().classify(alert))).kind).toBe('invalid_reply');
    expect((await failure(client().classify(alert))).kind).toBe('truncated');
    expect((await failure(client().classify(alert))).kind).toBe('refusal');
    expect(llm.requests).toHaveLength(3);
  });

  it('retries a rate limit after Retry-After and a 500 with backoff', async () => {
    llm.script({ kind: 'rate_limited', retryAfter: '0' }, { kind: 'server_error' });
    const answer = await client().classify(alert);
    expect(answer.attempts).toBe(3);
    expect(answer.verdict.severity).toBe('critical');
  });

  it('never retries an exhausted quota', async () => {
    llm.script({ kind: 'quota' });
    const err = await failure(client().classify(alert));
    expect(err.kind).toBe('quota');
    expect(err.retryable).toBe(false);
    expect(llm.requests).toHaveLength(1);
  });

  it('gives up after three retries of a persistent failure', async () => {
    llm.script(...Array.from({ length: 4 }, () => ({ kind: 'server_error' as const })));
    const err = await failure(client().classify(alert));
    expect(err.kind).toBe('server');
    expect(llm.requests).toHaveLength(4);
  });

  it('times out a slow reply', async () => {
    llm.script({ kind: 'slow', ms: 2_000 });
    const err = await failure(client({ timeoutMs: 100, maxRetries: 0 }).classify(alert));
    expect(err.kind).toBe('timeout');
  });

  it('reports a bad key as auth without leaking it', async () => {
    const err = await failure(client({ apiKey: 'sk-wrong-key-000000' }).classify(alert));
    expect(err.kind).toBe('auth');
    expect(`${err.message} ${String(err.stack)}`).not.toContain('sk-wrong-key-000000');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, Go durations and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter('6m0s')).toBe(360_000);
    expect(parseRetryAfter('250ms')).toBe(250);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:10 GMT', Date.UTC(2026, 10, 22, 10, 0, 0))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
