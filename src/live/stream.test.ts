import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLiveMetrics } from '../observability/live-metrics.ts';
import { boundedWriter } from './stream.ts';

/** A response whose socket takes `accepts` bytes, then wants a drain until `drain()`. */
class FakeResponse extends EventEmitter {
  readonly written: Buffer[] = [];
  buffered = 0;
  reset = false;
  destroyed = false;
  readonly socket = { resetAndDestroy: (): void => void (this.reset = this.destroyed = true) };
  readonly accepts: number;
  constructor(accepts: number) {
    super();
    this.accepts = accepts;
  }
  get writableLength(): number {
    return this.buffered;
  }
  get writableNeedDrain(): boolean {
    return this.buffered > this.accepts;
  }
  write(b: Buffer): boolean {
    this.written.push(b);
    this.buffered += b.length;
    return this.buffered <= this.accepts;
  }
  drain(): void {
    this.buffered = 0;
    this.emit('drain');
  }
}

const asResponse = (fake: FakeResponse): Response => fake as unknown as Response;

function deps(maxBufferedBytes: number): Parameters<typeof boundedWriter>[1] & { dropped: () => Promise<number> } {
  const registry = new Registry();
  const metrics = createLiveMetrics(registry);
  return {
    limits: { maxSubscribers: 10, maxBufferedBytes },
    metrics,
    logger: pino({ level: 'silent' }),
    dropped: async () => (await metrics.dropped.get()).values.find((v) => v.labels.reason === 'slow')?.value ?? 0,
  };
}

const chunk = (n: number, fill = 'x'): Buffer => Buffer.alloc(n, fill);

describe('boundedWriter', () => {
  it('writes while the socket takes data, queues shared chunks while it wants a drain, and sends them in order on drain', async () => {
    const fake = new FakeResponse(100);
    const d = deps(1_000);
    const write = boundedWriter(asResponse(fake), d);
    const [a, b, c] = [chunk(150, 'a'), chunk(50, 'b'), chunk(50, 'c')];
    write(a);
    write(b);
    write(c);
    expect(fake.written).toEqual([a]);
    fake.drain();
    expect(fake.written).toHaveLength(3);
    expect(fake.written[1]).toBe(b);
    expect(fake.written[2]).toBe(c);
    expect(await d.dropped()).toBe(0);
  });

  it('drops a subscriber with a reset once its socket buffer plus queue would pass the budget, and writes nothing more', async () => {
    const fake = new FakeResponse(100);
    const d = deps(500);
    const write = boundedWriter(asResponse(fake), d);
    write(chunk(200));
    write(chunk(200));
    expect(fake.reset).toBe(false);
    write(chunk(200));
    expect(fake.reset).toBe(true);
    expect(await d.dropped()).toBe(1);
    write(chunk(10));
    fake.drain();
    expect(fake.written).toHaveLength(1);
    expect(await d.dropped()).toBe(1);
  });

  it('counts what the socket still holds against the budget', async () => {
    const fake = new FakeResponse(10_000);
    const d = deps(500);
    const write = boundedWriter(asResponse(fake), d);
    fake.buffered = 450;
    write(chunk(100));
    expect(fake.reset).toBe(true);
    expect(await d.dropped()).toBe(1);
  });
});
