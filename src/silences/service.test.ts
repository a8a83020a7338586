import { describe, expect, it } from 'vitest';
import type { NewSilence, NewSilenceAction, Silence, SilenceAction, SilenceActionStore } from '../core/silence.ts';
import type { SilenceApi } from './alertmanager-client.ts';
import { createSilenceService } from './service.ts';

const eq = (name: string, value: string): Silence['matchers'][number] => ({ name, value, isRegex: false, isEqual: true });

function silence(id: string, state: Silence['state'], matchers: Silence['matchers'], endsAt = '2026-12-02T00:00:00.000Z'): Silence {
  return { id, state, matchers, startsAt: '2026-12-01T00:00:00.000Z', endsAt, createdBy: 'a', comment: 'c', updatedAt: '2026-12-01T00:00:00.000Z' };
}

function parts(initial: Silence[]) {
  const held = [...initial];
  let lists = 0;
  let fail = false;
  const api: SilenceApi = {
    shownUrl: 'http://am',
    list: () => {
      lists++;
      return fail ? Promise.reject(new Error('down')) : Promise.resolve([...held]);
    },
    get: (id) => Promise.resolve(held.find((s) => s.id === id)!),
    create: (s: NewSilence) => {
      held.push(silence(`s${held.length + 1}`, 'active', s.matchers, s.endsAt));
      return Promise.resolve(`s${held.length}`);
    },
    expire: (id) => {
      const i = held.findIndex((s) => s.id === id);
      held[i] = { ...held[i]!, state: 'expired' };
      return Promise.resolve();
    },
  };
  const recorded: NewSilenceAction[] = [];
  const actions: SilenceActionStore = {
    record: (a) => {
      recorded.push(a);
      return Promise.resolve({ ...a, id: recorded.length, createdAt: '2026-12-01T00:00:00.000Z' } satisfies SilenceAction);
    },
    list: () => Promise.resolve([]),
    labelsOf: (fps) =>
      Promise.resolve(new Map(fps.filter((f) => f !== 'gone').map((f) => [f, { alertname: 'A', instance: f }] as [string, Record<string, string>]))),
  };
  const clock = { ms: 0 };
  const service = createSilenceService({ api, actions, cacheMs: 10_000, now: () => clock.ms });
  return { service, clock, recorded, lists: () => lists, setFail: (v: boolean) => (fail = v) };
}

describe('createSilenceService', () => {
  it('lists live matching silences soonest ending first, never expired ones', async () => {
    const { service } = parts([
      silence('late', 'active', [eq('alertname', 'A')], '2026-12-03T00:00:00.000Z'),
      silence('soon', 'pending', [eq('alertname', 'A')], '2026-12-02T00:00:00.000Z'),
      silence('old', 'expired', [eq('alertname', 'A')]),
      silence('other', 'active', [eq('alertname', 'B')]),
    ]);
    expect((await service.matching({ alertname: 'A' })).map((s) => s.id)).toEqual(['soon', 'late']);
  });

  it('marks known alerts that active silences match', async () => {
    const { service } = parts([silence('one', 'active', [eq('instance', 'x')]), silence('wait', 'pending', [eq('instance', 'y')])]);
    expect(await service.marks(['x', 'y', 'gone'])).toEqual({ x: ['one'] });
  });

  it('reuses the list within cacheMs, fetches again after, and drops it after a create or an expire', async () => {
    const { service, clock, lists } = parts([]);
    await service.matching({});
    await service.matching({});
    expect(lists()).toBe(1);
    clock.ms += 10_000;
    await service.matching({});
    expect(lists()).toBe(2);
    const { action } = await service.create({ matchers: [eq('alertname', 'A')], durationMs: 3_600_000, comment: 'c', author: 'alice', fingerprint: 'fp' });
    expect((await service.matching({ alertname: 'A' })).map((s) => s.id)).toEqual([action.silenceId]);
    await service.expire({ id: action.silenceId, author: 'bob' });
    expect(await service.matching({ alertname: 'A' })).toEqual([]);
    expect(lists()).toBe(4);
  });

  it('does not keep a failed fetch', async () => {
    const { service, setFail, lists } = parts([]);
    setFail(true);
    await expect(service.matching({})).rejects.toThrow('down');
    setFail(false);
    expect(await service.matching({})).toEqual([]);
    expect(lists()).toBe(2);
  });

  it('records creates with their times and author, and refuses to expire an expired silence', async () => {
    const { service, clock, recorded } = parts([silence('done', 'expired', [eq('alertname', 'A')])]);
    clock.ms = Date.parse('2026-12-01T10:00:00Z');
    await service.create({ matchers: [eq('alertname', 'A')], durationMs: 7_200_000, comment: 'why', author: 'alice', fingerprint: 'fp' });
    expect(recorded[0]).toMatchObject({
      action: 'create',
      fingerprint: 'fp',
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T12:00:00.000Z',
      author: 'alice',
      comment: 'why',
    });
    await expect(service.expire({ id: 'done', author: 'bob' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(recorded).toHaveLength(1);
  });
});
