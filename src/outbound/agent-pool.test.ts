import { describe, expect, it } from 'vitest';
import { createAgentPool } from './agent-pool.ts';

describe('createAgentPool', () => {
  it('closes the least recently used agent when a new origin passes the bound', async () => {
    const pool = createAgentPool({ maxOrigins: 2 });
    const a = pool.agentFor('https://a.example.invalid/1');
    const b = pool.agentFor('https://b.example.invalid/1');
    expect(pool.agentFor('https://a.example.invalid/2')).toBe(a);
    const c = pool.agentFor(new URL('https://c.example.invalid/'));
    expect(pool.size).toBe(2);
    await b.close();
    expect(b.closed).toBe(true);
    expect(a.closed).toBe(false);
    expect(pool.agentFor('https://a.example.invalid/3')).toBe(a);
    expect(pool.agentFor('https://c.example.invalid/3')).toBe(c);
    await pool.close();
    expect(pool.size).toBe(0);
    expect([a, c].every((agent) => agent.closed)).toBe(true);
  });
});
