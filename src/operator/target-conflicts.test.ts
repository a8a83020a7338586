import { describe, expect, it } from 'vitest';
import type { ShadowedSecret } from './catalog.ts';
import type { KubeRest } from './kube/rest.ts';
import { createConflictReporter } from './target-conflicts.ts';

interface Posted {
  path: string;
  body: { reason: string; type: string; message: string; involvedObject: { kind: string; namespace: string; name: string } };
}

function setup(options: { leader: boolean; fail?: boolean }): {
  posted: Posted[];
  leader: { value: boolean };
  reporter: ReturnType<typeof createConflictReporter>;
  errors: string[];
} {
  const posted: Posted[] = [];
  const errors: string[] = [];
  const leader = { value: options.leader };
  const rest = {
    request: (_method: string, path: string, request?: { body?: unknown }) => {
      if (options.fail) return Promise.reject(new Error('forbidden'));
      posted.push({ path, body: request?.body as Posted['body'] });
      return Promise.resolve({});
    },
  } as unknown as KubeRest;
  const reporter = createConflictReporter({
    rest,
    isLeader: () => leader.value,
    now: () => new Date('2026-12-01T10:00:00Z'),
    onError: (secret) => errors.push(secret),
  });
  return { posted, leader, reporter, errors };
}

const byCr: ShadowedSecret = { secret: 'team-a/legacy', key: 'team-a/slack', winner: 'PublishingTarget team-a/slack' };

describe('conflict reporter', () => {
  it('records one Warning Event on the shadowed Secret per conflict', async () => {
    const s = setup({ leader: true });
    await s.reporter.report([byCr]);
    await s.reporter.report([byCr]);
    expect(s.posted).toHaveLength(1);
    expect(s.posted[0]).toMatchObject({
      path: '/api/v1/namespaces/team-a/events',
      body: { type: 'Warning', reason: 'ConflictingTarget', involvedObject: { kind: 'Secret', namespace: 'team-a', name: 'legacy' } },
    });
    expect(s.posted[0]!.body.message).toContain('target team-a/slack is also defined by PublishingTarget team-a/slack, which wins');
  });

  it('reports again when the winner changes or the conflict comes back', async () => {
    const s = setup({ leader: true });
    await s.reporter.report([byCr]);
    await s.reporter.report([{ ...byCr, winner: 'Secret team-a/aa' }]);
    await s.reporter.report([]);
    await s.reporter.report([byCr]);
    expect(s.posted.map((p) => p.body.message.split(',')[0])).toEqual([
      'target team-a/slack is also defined by PublishingTarget team-a/slack',
      'target team-a/slack is also defined by Secret team-a/aa',
      'target team-a/slack is also defined by PublishingTarget team-a/slack',
    ]);
  });

  it('records nothing while not leading, and everything after an election', async () => {
    const s = setup({ leader: false });
    await s.reporter.report([byCr]);
    expect(s.posted).toHaveLength(0);
    s.leader.value = true;
    s.reporter.reset();
    await s.reporter.report([byCr]);
    expect(s.posted).toHaveLength(1);
  });

  it('tries again after a failed write', async () => {
    const s = setup({ leader: true, fail: true });
    await s.reporter.report([byCr]);
    expect(s.errors).toEqual(['team-a/legacy']);
    await s.reporter.report([byCr]);
    expect(s.errors).toEqual(['team-a/legacy', 'team-a/legacy']);
  });
});
