// Stream tickets: EventSource cannot send an Authorization header, and a long-lived API token in
// a URL ends up in proxy logs and browser history. So the dashboard trades its token (POST
// /api/v2/events/ticket) for a short-lived, single-use ticket it puts in the stream URL. A ticket
// is an HMAC over its expiry and a random nonce; the key is derived from the configured API tokens
// (every replica with the same tokens verifies every replica's tickets) or random per process when
// there are none. Single use: a per-replica set of used nonces, and Redis SET NX when configured.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock } from '../core/ports.ts';

/** Claims a nonce across replicas; false when another replica (or this one) claimed it first. */
export interface NonceRegistry {
  claim(nonce: string, ttlMs: number): Promise<boolean>;
}

/** Issues and redeems stream tickets. */
export interface StreamTickets {
  issue(): { ticket: string; expiresIn: number };
  /** True once for a ticket that is authentic and unexpired; false for anything else. */
  redeem(ticket: string): Promise<boolean>;
}

/** Options of {@link createStreamTickets}. */
export interface StreamTicketOptions {
  apiTokens: readonly string[];
  ttlMs: number;
  /** Shared used-nonce registry (Redis); a failing one falls back to this replica's set. */
  shared?: NonceRegistry;
  clock?: Clock;
  /** Used nonces remembered at most (default 100,000); when full of live ones, redeeming fails closed. */
  maxUsed?: number;
}

const CONTEXT = 'alert-history/stream-ticket/v1';
const SHAPE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** The signing key: derived from the API tokens (order-independent) with a fixed context, else random. */
export function ticketKey(apiTokens: readonly string[]): Buffer {
  if (apiTokens.length === 0) return randomBytes(32);
  const material = [...apiTokens].sort().join('\n');
  return Buffer.from(hkdfSync('sha256', material, '', CONTEXT, 32));
}

const mac = (key: Buffer, expiry: string, nonce: string): Buffer => createHmac('sha256', key).update(`${CONTEXT}.${expiry}.${nonce}`).digest();

/** This replica's used nonces with their expiry, pruned as they expire. */
class UsedNonces {
  readonly #used = new Map<string, number>();
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Records `nonce`; false when it was used already or the set is full of live nonces. */
  add(nonce: string, expiresAt: number, now: number): boolean {
    if (this.#used.has(nonce)) return false;
    if (this.#used.size >= this.max) this.#prune(now);
    if (this.#used.size >= this.max) return false;
    this.#used.set(nonce, expiresAt);
    return true;
  }

  #prune(now: number): void {
    for (const [nonce, expiresAt] of this.#used) if (expiresAt <= now) this.#used.delete(nonce);
  }

  /** Drops expired entries from the oldest end (cheap, called on every redeem). */
  trim(now: number): void {
    for (const [nonce, expiresAt] of this.#used) {
      if (expiresAt > now) return;
      this.#used.delete(nonce);
    }
  }
}

/** Parses and verifies a ticket; its nonce and expiry when authentic and unexpired. */
function verify(key: Buffer, ticket: string, now: number): { nonce: string; expiresAt: number } | undefined {
  const m = SHAPE.exec(ticket);
  if (!m) return undefined;
  const [, expiry = '', nonce = '', signature = ''] = m;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, expiry, nonce);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const expiresAt = parseInt(expiry, 36);
  return expiresAt > now ? { nonce, expiresAt } : undefined;
}

async function claimShared(shared: NonceRegistry | undefined, nonce: string, ttlMs: number): Promise<boolean> {
  if (!shared) return true;
  try {
    return await shared.claim(nonce, ttlMs);
  } catch {
    // Redis down: this replica's set still stops a replay here; availability over cross-replica reuse.
    return true;
  }
}

/** Creates the ticket issuer and verifier. */
export function createStreamTickets(options: StreamTicketOptions): StreamTickets {
  const key = ticketKey(options.apiTokens);
  const clock = options.clock ?? systemClock;
  const used = new UsedNonces(options.maxUsed ?? 100_000);
  return {
    issue() {
      const expiry = (clock.now() + options.ttlMs).toString(36);
      const nonce = randomBytes(16).toString('base64url');
      return { ticket: `${expiry}.${nonce}.${mac(key, expiry, nonce).toString('base64url')}`, expiresIn: Math.round(options.ttlMs / 1000) };
    },
    async redeem(ticket) {
      const now = clock.now();
      used.trim(now);
      const valid = verify(key, ticket, now);
      if (!valid || !used.add(valid.nonce, valid.expiresAt, now)) return false;
      return claimShared(options.shared, valid.nonce, valid.expiresAt - now);
    },
  };
}
