// cache -> LLM (circuit breaker) -> rules, against the strict fake LLM.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBreaker, DEFAULT_BREAKER } from '../../src/classify/breaker.ts';
import { createMemoryCache } from '../../src/classify/cache.ts';
import { createClassifier, type ClassifierDeps } from '../../src/classify/classifier.ts';
import { createLlmClient } from '../../src/classify/llm-client.ts';
import type { ClassifiableAlert, Classification } from '../../src/core/classification.ts';
import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.ts';

const KEY = 'sk-test-classifier-0000';
const MODEL = 'gpt-4o-mini';
let llm: FakeLlm;
let seq = 0;

const alert = (labels: Record<string, string> = {}): ClassifiableAlert => ({
  fingerprint: `fp-${++seq}`,
  status: 'firing',
  labels: { alertname: 'CheckoutErrors', severity: 'warning', ...labels },
  annotations: { summary: 'Checkout 5xx above 5 %' },
});

function deps(overrides: Partial<ClassifierDeps> = {}): ClassifierDeps {
  return {
    llm: createLlmClient({ baseUrl: llm.url, apiKey: KEY, model: MODEL, timeoutMs: 2_000, maxRetries: 0 }),
    breaker: createBreaker({ ...DEFAULT_BREAKER, consecutiveFailures: 3, halfOpenAfterMs: 60_000 }),
    cache: createMemoryCache(),
    cacheTtlMs: 3_600_000,
    ...overrides,
  };
}

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: KEY, model: MODEL });
});
afterAll(async () => {
  await llm.close();
});
afterEach(() => {
  vi.useRealTimers();
  expect(llm.violations).toEqual([]);
  llm.requests.length = 0;
});

describe('classifier', () => {
  it('classifies by rules when no LLM is configured', async () => {
    const result = await createClassifier(deps({ llm: undefined })).classify(alert());
    expect(result).toMatchObject({ source: 'rules', severity: 'warning', cached: false });
    expect(llm.requests).toHaveLength(0);
  });

  it('answers a second time from the cache without calling the LLM', async () => {
    const classifier = createClassifier(deps());
    const a = alert();
    expect(await classifier.classify(a)).toMatchObject({ source: 'llm', severity: 'critical', cached: false });
    expect(await classifier.classify(a)).toMatchObject({ source: 'cache', severity: 'critical', cached: true });
    expect(llm.requests).toHaveLength(1);
    await classifier.classify(a, { force: true });
    expect(llm.requests).toHaveLength(2);
  });

  it('falls back to rules below minConfidence and reports the disagreement', async () => {
    const disagreements: [Classification, Classification][] = [];
    const classifier = createClassifier(deps({ events: { onDisagreement: (l, r) => disagreements.push([l, r]) } }));
    const result = await classifier.classify(alert(), { minConfidence: 0.95 });
    expect(result).toMatchObject({ source: 'rules', severity: 'warning' });
    expect(disagreements.map(([l, r]) => [l.severity, r.severity])).toEqual([['critical', 'warning']]);
  });

  it('opens the circuit after consecutive failures, serves rules, then closes after a good probe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const errors: string[] = [];
    const classifier = createClassifier(deps({ events: { onError: (type) => errors.push(type) } }));
    llm.script({ kind: 'server_error' }, { kind: 'server_error' }, { kind: 'server_error' });
    for (let i = 0; i < 3; i++) expect((await classifier.classify(alert())).source).toBe('rules');
    expect(classifier.circuitState()).toBe('open');
    const whileOpen = await classifier.classify(alert());
    expect(whileOpen.source).toBe('rules');
    expect(llm.requests).toHaveLength(3);
    expect(errors).toEqual(['server', 'server', 'server', 'circuit_open']);
    vi.setSystemTime(Date.now() + 60_001);
    expect((await classifier.classify(alert())).source).toBe('llm');
    expect(classifier.circuitState()).toBe('closed');
  });

  it('falls back on a refusal or invalid JSON without caching the rules answer', async () => {
    const classifier = createClassifier(deps({ breaker: createBreaker(DEFAULT_BREAKER) }));
    const a = alert();
    llm.script({ kind: 'refusal' }, { kind: 'invalid_json' });
    for (let i = 0; i < 2; i++) expect((await classifier.classify(a)).source).toBe('rules');
    expect((await classifier.classify(a)).source).toBe('llm');
  });

  it('caches with the policy TTL when one is given', async () => {
    const ttls: number[] = [];
    const recording = {
      kind: 'memory' as const,
      get: () => Promise.resolve(undefined),
      set: (_fp: string, _v: unknown, ttl: number) => Promise.resolve(void ttls.push(ttl)),
    };
    const classifier = createClassifier(deps({ cache: recording }));
    await classifier.classify(alert());
    await classifier.classify(alert(), { cacheTtlMs: 7_200_000 });
    expect(ttls).toEqual([3_600_000, 7_200_000]);
  });

  it('holds the circuit open after an exhausted quota instead of asking again', async () => {
    const errors: string[] = [];
    const classifier = createClassifier(deps({ breaker: createBreaker(DEFAULT_BREAKER), events: { onError: (t) => errors.push(t) } }));
    llm.script({ kind: 'quota' });
    expect((await classifier.classify(alert())).source).toBe('rules');
    expect(classifier.circuitState()).toBe('open');
    expect((await classifier.classify(alert())).source).toBe('rules');
    expect(llm.requests).toHaveLength(1);
    expect(errors).toEqual(['quota', 'circuit_open']);
  });
});
