// Per-target token buckets. Hand-written (about 30 lines) rather than a library because the worker
// must ask "when is the next token?" to put a row back in the outbox with that due time instead of
// holding a worker slot while it waits; rate-limiter-flexible's memory limiter is a fixed window,
// which lets twice the rate through at a window edge and trips PagerDuty's sliding 60 s limit.

/** A token bucket refilled continuously at `ratePerMinute`, holding one second's worth (at least 1). */
export interface TokenBucket {
  /** Takes a token and returns 0, or returns the milliseconds until one is available. */
  take(nowMs: number): number;
  /** True when a token is available now. */
  ready(nowMs: number): boolean;
}

/** Creates a full bucket. */
export function createTokenBucket(ratePerMinute: number): TokenBucket {
  const perMs = ratePerMinute / 60_000;
  const capacity = Math.max(1, Math.ceil(ratePerMinute / 60));
  let tokens = capacity;
  let last: number | undefined;
  const refill = (now: number): void => {
    if (last !== undefined) tokens = Math.min(capacity, tokens + (now - last) * perMs);
    last = now;
  };
  return {
    take(now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - tokens) / perMs);
    },
    ready(now) {
      refill(now);
      return tokens >= 1;
    },
  };
}
