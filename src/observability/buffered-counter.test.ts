import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBufferedCounter } from './buffered-counter.ts';

type Labels = 'status' | 'alertname' | 'namespace';
const labelNames: Labels[] = ['status', 'alertname', 'namespace'];

function pair(): { plain: Counter<Labels>; buffered: Counter<Labels>; registry: Registry } {
  const registry = new Registry();
  const plain = new Counter({ name: 'plain_total', help: 'h', labelNames, registers: [registry] });
  const buffered = createBufferedCounter({ name: 'buffered_total', help: 'h', labelNames, registers: [registry] });
  return { plain, buffered, registry };
}

const valuesOf = async (c: Counter<Labels>): Promise<unknown> => (await c.get()).values.map((v) => ({ labels: v.labels, value: v.value }));

describe('createBufferedCounter', () => {
  it('reads the same as a plain Counter after any mix of increments', async () => {
    const { plain, buffered } = pair();
    const calls: [Partial<Record<Labels, string | number>>, number | undefined][] = [
      [{ status: 'firing', alertname: 'A', namespace: 'x' }, undefined],
      [{ status: 'firing', alertname: 'A', namespace: 'x' }, 2],
      [{ alertname: 'A', status: 'firing', namespace: 'x' }, 0.5],
      [{ status: 'firing', alertname: 'A', namespace: '' }, 1],
      [{ status: 'resolved', alertname: 'A' }, 3],
      [{ status: 'resolved', alertname: 'A' }, 0],
      [{ status: 'firing', alertname: 'B', namespace: 'x' }, 1],
      [{ status: 'firing', alertname: 'A', namespace: 'x' }, 1],
    ];
    for (const [labels, value] of calls) {
      plain.inc(labels, value);
      buffered.inc(labels, value);
    }
    expect(await valuesOf(buffered)).toEqual(await valuesOf(plain));
    plain.inc({ status: 'firing', alertname: 'A', namespace: 'x' }, 4);
    buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' }, 4);
    expect(await valuesOf(buffered)).toEqual(await valuesOf(plain));
  });

  it('shows buffered increments in the registry text', async () => {
    const { plain, buffered, registry } = pair();
    for (let i = 0; i < 5; i++) {
      plain.inc({ status: 'firing', alertname: 'A', namespace: 'x' });
      buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' });
    }
    const text = await registry.metrics();
    expect(text).toContain('plain_total{status="firing",alertname="A",namespace="x"} 5');
    expect(text).toContain('buffered_total{status="firing",alertname="A",namespace="x"} 5');
  });

  it('still throws at the call for an unknown label or a negative amount (as prom-client does), also for a label set it has seen', () => {
    const { buffered } = pair();
    buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' });
    expect(() => buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x', pod: 'p' } as never)).toThrow(/pod/);
    expect(() => buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' }, -1)).toThrow();
  });

  it('reset and remove drop what is buffered', async () => {
    const { buffered } = pair();
    buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' });
    buffered.inc({ status: 'firing', alertname: 'A', namespace: 'x' });
    buffered.inc({ status: 'firing', alertname: 'B', namespace: 'x' });
    buffered.remove({ status: 'firing', alertname: 'A', namespace: 'x' });
    expect(await valuesOf(buffered)).toEqual([{ labels: { status: 'firing', alertname: 'B', namespace: 'x' }, value: 1 }]);
    buffered.inc({ status: 'firing', alertname: 'B', namespace: 'x' });
    buffered.reset();
    expect(await valuesOf(buffered)).toEqual([]);
    buffered.inc({ status: 'firing', alertname: 'B', namespace: 'x' });
    buffered.inc({ status: 'firing', alertname: 'B', namespace: 'x' });
    expect(await valuesOf(buffered)).toEqual([{ labels: { status: 'firing', alertname: 'B', namespace: 'x' }, value: 2 }]);
  });
});
