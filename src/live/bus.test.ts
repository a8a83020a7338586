import { describe, expect, it } from 'vitest';
import { encodeFrame, type LiveEvent, RESYNC_FRAME, type SequencedEvent } from './events.ts';
import { createLiveBus, type LiveBusOptions, type LiveRelay } from './bus.ts';

/** A bus whose later ticks run only when the test says so. */
function manualBus(options: LiveBusOptions = {}): { bus: ReturnType<typeof createLiveBus>; runTicks: () => number; encoded: SequencedEvent[] } {
  const queue: (() => void)[] = [];
  const encoded: SequencedEvent[] = [];
  const bus = createLiveBus({
    encode: (e) => {
      encoded.push(e);
      return encodeFrame(e);
    },
    ...options,
    defer: (fn) => queue.push(fn),
  });
  const runTicks = (): number => {
    let n = 0;
    while (queue.length > 0) {
      queue.shift()!();
      n++;
    }
    return n;
  };
  return { bus, runTicks, encoded };
}

const alert = (n: number, pad = 0): LiveEvent => ({ type: 'alert_created', data: { fingerprint: `fp${n}`, note: 'x'.repeat(pad) } });
const ids = (bytes: Buffer): number[] => [...bytes.toString().matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('live bus', () => {
  it('fans out on a later tick, not inside publish', () => {
    const { bus, runTicks } = manualBus();
    const got: Buffer[] = [];
    bus.subscribe((b) => got.push(b));
    bus.publish(alert(1));
    expect(got).toEqual([]);
    runTicks();
    expect(ids(Buffer.concat(got))).toEqual([1]);
  });

  it('encodes each event once and hands every subscriber the same bytes', () => {
    const { bus, runTicks, encoded } = manualBus();
    const got: Buffer[][] = [[], [], []];
    got.forEach((list) => bus.subscribe((b) => list.push(b)));
    bus.publish(alert(1));
    bus.publish(alert(2));
    runTicks();
    expect(encoded.map((e) => e.id)).toEqual([1, 2]);
    expect(got[0]).toHaveLength(1);
    expect(got[1]![0]).toBe(got[0]![0]);
    expect(got[2]![0]).toBe(got[0]![0]);
    expect(got[0]![0]!.toString()).toBe(
      'id: 1\nevent: alert_created\ndata: {"fingerprint":"fp1","note":""}\n\nid: 2\nevent: alert_created\ndata: {"fingerprint":"fp2","note":""}\n\n',
    );
  });

  it('sends a burst in chunks over several ticks, in order', () => {
    const { bus, runTicks } = manualBus({ chunkBytes: 1_000 });
    const got: Buffer[] = [];
    bus.subscribe((b) => got.push(b));
    for (let i = 1; i <= 20; i++) bus.publish(alert(i, 200));
    expect(runTicks()).toBeGreaterThan(3);
    expect(got.length).toBeGreaterThan(3);
    expect(Math.max(...got.map((b) => b.length))).toBeLessThan(1_000 + 300);
    expect(ids(Buffer.concat(got))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('resumes from the buffer, and answers undefined (resync) when the missed bytes are gone or the id is unknown', () => {
    const { bus, runTicks } = manualBus({ bufferBytes: 2_000 });
    for (let i = 1; i <= 3; i++) bus.publish(alert(i, 100));
    runTicks();
    expect(bus.since(1)!.map(ids).flat()).toEqual([2, 3]);
    expect(bus.since(3)).toEqual([]);
    expect(bus.since(4)).toBeUndefined();
    for (let i = 4; i <= 30; i++) bus.publish(alert(i, 100));
    runTicks();
    expect(bus.since(1)).toBeUndefined();
    const kept = bus.since(25)!;
    expect(kept.map(ids).flat()).toEqual([26, 27, 28, 29, 30]);
    const oldest = Array.from({ length: 30 }, (_, i) => i).find((id) => bus.since(id) !== undefined)!;
    expect(oldest).toBeGreaterThan(10);
    expect(Buffer.concat(bus.since(oldest)!).length).toBeLessThanOrEqual(2_000);
  });

  it('drops the oldest pending events past maxPending and tells subscribers to resync', () => {
    const { bus, runTicks } = manualBus({ maxPending: 5 });
    bus.publish(alert(0));
    runTicks();
    const got: Buffer[] = [];
    bus.subscribe((b) => got.push(b));
    for (let i = 1; i <= 8; i++) bus.publish(alert(i));
    runTicks();
    const text = Buffer.concat(got).toString();
    expect(text.startsWith(RESYNC_FRAME.toString())).toBe(true);
    expect(text.match(/"fp\d+"/g)).toEqual(['"fp4"', '"fp5"', '"fp6"', '"fp7"', '"fp8"']);
    expect(bus.since(1)).toBeUndefined();
  });

  it('relays published events on the later tick and delivers what the relay receives', () => {
    const sent: LiveEvent[] = [];
    let receive: (e: LiveEvent) => void = () => undefined;
    const relay: LiveRelay = { send: (e) => sent.push(e), onReceive: (l) => (receive = l) };
    const { bus, runTicks } = manualBus({ relay });
    const got: Buffer[] = [];
    bus.subscribe((b) => got.push(b));
    bus.publish(alert(1));
    expect(sent).toEqual([]);
    runTicks();
    expect(sent).toEqual([alert(1)]);
    expect(got).toEqual([]);
    receive(alert(9));
    runTicks();
    expect(Buffer.concat(got).toString()).toContain('"fp9"');
  });
});
