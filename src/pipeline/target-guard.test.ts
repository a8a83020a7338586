import { describe, expect, it } from 'vitest';
import { PublishError, type Target } from '../core/publishing.ts';
import { createTargetGuards } from './target-guard.ts';

function target(ratePerMinute: number): Target {
  return {
    name: 'hook',
    source: 'config',
    type: 'webhook',
    enabled: true,
    url: undefined,
    credentials: undefined,
    headers: [],
    filter: {},
    delivery: { timeoutMs: 1000, maxAttempts: 3, ratePerMinute },
    options: {},
  };
}

function setup(): { now: { ms: number }; guards: ReturnType<typeof createTargetGuards> } {
  const now = { ms: 1_000_000 };
  return { now, guards: createTargetGuards({ consecutiveFailures: 2, halfOpenAfterMs: 30_000, now: () => now.ms }, () => undefined) };
}

const serverError = (): Promise<never> => Promise.reject(new PublishError('HTTP 500', { reason: 'server_error', retryable: true }));

describe('target guard admission', () => {
  it('admits up to the bucket capacity, then refuses with the wait until the next token', () => {
    const { now, guards } = setup();
    const t = target(60);
    expect(guards.admit(t).ok).toBe(true);
    expect(guards.admit(t)).toEqual({ ok: false, why: 'rate_limited', retryAfterMs: 1000, circuit: 'closed' });
    now.ms += 1000;
    expect(guards.admit(t).ok).toBe(true);
  });

  it('shares the bucket with the worker (guards.get)', () => {
    const { now, guards } = setup();
    const t = target(60);
    expect(guards.get(t).bucket.take(now.ms)).toBe(0);
    expect(guards.admit(t)).toMatchObject({ ok: false, why: 'rate_limited' });
  });

  it('refuses while the circuit is open, until the probe is due', async () => {
    const { now, guards } = setup();
    const t = target(6000);
    const guard = guards.get(t);
    for (let i = 0; i < 2; i++) await guard.breaker.execute(serverError).catch(() => undefined);
    expect(guards.circuit('hook')).toBe('open');
    expect(guards.admit(t)).toEqual({ ok: false, why: 'circuit_open', retryAfterMs: 30_000, circuit: 'open' });
    now.ms += 10_000;
    expect(guards.admit(t)).toMatchObject({ ok: false, why: 'circuit_open', retryAfterMs: 20_000 });
    now.ms += 20_000;
    expect(guards.admit(t).ok).toBe(true);
  });

  it('keeps same-named targets of two namespaces apart (budget, circuit, blocked keys)', async () => {
    const { now, guards } = setup();
    const a = { ...target(6000), namespace: 'team-a' };
    const b = { ...target(6000), namespace: 'team-b' };
    for (let i = 0; i < 2; i++)
      await guards
        .get(a)
        .breaker.execute(serverError)
        .catch(() => undefined);
    expect(guards.circuit('team-a/hook')).toBe('open');
    expect(guards.circuit('team-b/hook')).toBe('closed');
    expect(guards.admit(b).ok).toBe(true);
    expect(guards.blocked(now.ms)).toEqual(['team-a/hook']);
  });
});
