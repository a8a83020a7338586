import { describe, expect, it } from 'vitest';
import { resolveTargetRef, targetKey } from './target-key.ts';

describe('targetKey', () => {
  it('is namespace/name for a namespaced target and the bare name for a config target', () => {
    expect(targetKey({ name: 'slack', namespace: 'team-a' })).toBe('team-a/slack');
    expect(targetKey({ name: 'slack' })).toBe('slack');
    expect(targetKey({ name: 'slack', namespace: undefined })).toBe('slack');
  });

  it('tells same-named targets of two namespaces apart', () => {
    expect(targetKey({ name: 'slack', namespace: 'team-a' })).not.toBe(targetKey({ name: 'slack', namespace: 'team-b' }));
  });
});

describe('resolveTargetRef', () => {
  const known = [{ name: 'slack', namespace: 'team-a' }, { name: 'slack', namespace: 'team-b' }, { name: 'pager', namespace: 'team-a' }, { name: 'hook' }];

  it('finds a key exactly', () => {
    expect(resolveTargetRef(known, 'team-b/slack')).toEqual({ found: 'team-b/slack' });
    expect(resolveTargetRef(known, 'hook')).toEqual({ found: 'hook' });
  });

  it('accepts a bare name held by one target', () => {
    expect(resolveTargetRef(known, 'pager')).toEqual({ found: 'team-a/pager' });
  });

  it('calls a bare name held in two namespaces ambiguous, naming the candidates', () => {
    expect(resolveTargetRef(known, 'slack')).toEqual({ ambiguous: ['team-a/slack', 'team-b/slack'] });
  });

  it('prefers the config target whose key is the bare name over namespaced namesakes', () => {
    expect(resolveTargetRef([...known, { name: 'slack' }], 'slack')).toEqual({ found: 'slack' });
  });

  it('reports a missing key or name', () => {
    expect(resolveTargetRef(known, 'team-c/slack')).toEqual({ missing: true });
    expect(resolveTargetRef(known, 'nope')).toEqual({ missing: true });
  });
});
