import { describe, expect, it } from 'vitest';
import { createStreamTickets, type NonceRegistry, ticketKey } from './stream-ticket.ts';

const TOKENS = ['api-token-aaaaaaaaaaaaaaaa', 'api-token-bbbbbbbbbbbbbbbb'];

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Replaces the character at `at` with another one of the same alphabet. */
function flip(text: string, at: number): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${c}${text.slice(at + 1)}`;
}

describe('stream tickets', () => {
  it('redeems an issued ticket once, and never again', async () => {
    const tickets = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000 });
    const { ticket, expiresIn } = tickets.issue();
    expect(expiresIn).toBe(60);
    expect(ticket).not.toContain(TOKENS[0]);
    expect(await tickets.redeem(ticket)).toBe(true);
    expect(await tickets.redeem(ticket)).toBe(false);
  });

  it('refuses an expired ticket', async () => {
    const clock = clockAt(1_000_000);
    const tickets = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000, clock });
    const { ticket } = tickets.issue();
    clock.advance(60_000);
    expect(await tickets.redeem(ticket)).toBe(false);
  });

  it('refuses a tampered ticket: expiry, nonce, signature or shape', async () => {
    const clock = clockAt(1_000_000);
    const tickets = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000, clock });
    const { ticket } = tickets.issue();
    const [expiry, nonce, signature] = ticket.split('.') as [string, string, string];
    const later = (parseInt(expiry, 36) + 3_600_000).toString(36);
    for (const forged of [
      `${later}.${nonce}.${signature}`,
      `${expiry}.${flip(nonce, 3)}.${signature}`,
      `${expiry}.${nonce}.${flip(signature, 5)}`,
      `${expiry}.${nonce}`,
      '',
      'x'.repeat(5_000),
    ]) {
      expect(await tickets.redeem(forged), forged.slice(0, 40)).toBe(false);
    }
    expect(await tickets.redeem(ticket)).toBe(true);
  });

  it('is verified by another replica with the same tokens (any order), not by one with other tokens', async () => {
    const a = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000 });
    const b = createStreamTickets({ apiTokens: [...TOKENS].reverse(), ttlMs: 60_000 });
    const other = createStreamTickets({ apiTokens: ['api-token-cccccccccccccccc'], ttlMs: 60_000 });
    expect(await other.redeem(a.issue().ticket)).toBe(false);
    expect(await b.redeem(a.issue().ticket)).toBe(true);
    expect(ticketKey(TOKENS).equals(ticketKey([...TOKENS].reverse()))).toBe(true);
  });

  it('uses a random key per process when no token is configured', async () => {
    const a = createStreamTickets({ apiTokens: [], ttlMs: 60_000 });
    const b = createStreamTickets({ apiTokens: [], ttlMs: 60_000 });
    expect(await b.redeem(a.issue().ticket)).toBe(false);
    expect(await a.redeem(a.issue().ticket)).toBe(true);
  });

  it('is single use across replicas through the shared registry, and falls back to the local set when it fails', async () => {
    const claimed = new Set<string>();
    const shared: NonceRegistry = { claim: (nonce) => Promise.resolve(!claimed.has(nonce) && Boolean(claimed.add(nonce))) };
    const a = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000, shared });
    const b = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000, shared });
    const { ticket } = a.issue();
    expect(await a.redeem(ticket)).toBe(true);
    expect(await b.redeem(ticket)).toBe(false);
    const down: NonceRegistry = { claim: () => Promise.reject(new Error('redis down')) };
    const c = createStreamTickets({ apiTokens: TOKENS, ttlMs: 60_000, shared: down });
    const next = c.issue().ticket;
    expect(await c.redeem(next)).toBe(true);
    expect(await c.redeem(next)).toBe(false);
  });

  it('keeps the used set bounded: expired nonces are pruned, and a set full of live ones fails closed', async () => {
    const clock = clockAt(1_000_000);
    const tickets = createStreamTickets({ apiTokens: TOKENS, ttlMs: 1_000, clock, maxUsed: 2 });
    expect(await tickets.redeem(tickets.issue().ticket)).toBe(true);
    expect(await tickets.redeem(tickets.issue().ticket)).toBe(true);
    expect(await tickets.redeem(tickets.issue().ticket)).toBe(false);
    clock.advance(1_000);
    expect(await tickets.redeem(tickets.issue().ticket)).toBe(true);
  });
});
