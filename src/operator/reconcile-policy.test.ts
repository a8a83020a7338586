import { describe, expect, it } from 'vitest';
import type { PolicyMatches } from '../core/enrichment.ts';
import { createOperatorPolicyCatalog } from './catalog.ts';
import type { Condition } from './crd/common.ts';
import type { KubeRest } from './kube/rest.ts';
import { createPolicyReconciler } from './reconcile-policy.ts';
import type { CustomResource } from './resolve-target.ts';
import type { Status } from './status.ts';

function world(spec: Record<string, unknown>): {
  applies: Status[];
  matches: { value: PolicyMatches | null | undefined };
  reconcile: (key: string) => Promise<unknown>;
} {
  let status: Status = {};
  let rv = 1;
  const applies: Status[] = [];
  const rest: KubeRest = {
    server: 'https://fake',
    defaultNamespace: 'ns',
    request: <T>() => Promise.resolve({ metadata: { resourceVersion: String(rv) }, status } as T),
    apply<T>(_path: string, body: unknown): Promise<T> {
      status = (body as { status: Status }).status;
      applies.push(status);
      rv++;
      return Promise.resolve({ metadata: { resourceVersion: String(rv) }, status } as T);
    },
    watch: () => Promise.resolve(() => undefined),
  };
  const cr = (): CustomResource => ({ metadata: { name: 'payments', namespace: 'ns', generation: 1, resourceVersion: String(rv) }, spec, status });
  const matches: { value: PolicyMatches | null | undefined } = { value: null };
  const reconcile = createPolicyReconciler({
    resources: { get: (key) => (key === 'ns/payments' ? cr() : undefined) },
    catalog: createOperatorPolicyCatalog([]),
    isLeader: () => true,
    fieldManager: 'op-a_0001',
    rest,
    matches: (key) => (key === 'ns/payments' ? matches.value : null),
    now: () => new Date('2026-11-22T10:00:00Z'),
  });
  return { applies, matches, reconcile };
}

const types = (status: Status | undefined): Record<string, string> =>
  Object.fromEntries(((status?.conditions ?? []) as Condition[]).map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('EnrichmentPolicy reconciler', () => {
  it('writes the match count of all replicas, and nothing more when it did not move', async () => {
    const w = world({ priority: 10, mode: 'transparent', match: { namespaces: ['payments'] } });
    await w.reconcile('ns/payments');
    expect(w.applies.at(-1)).toMatchObject({ matchedAlerts: 0 });
    w.matches.value = { policy: 'ns/payments', matched: 42, lastMatchAt: '2026-11-22T09:59:59.654321Z' };
    await w.reconcile('ns/payments');
    expect(w.applies.at(-1)).toMatchObject({ matchedAlerts: 42, lastMatchTime: '2026-11-22T09:59:59Z' });
    await w.reconcile('ns/payments');
    w.matches.value = undefined;
    await w.reconcile('ns/payments');
    expect(w.applies).toHaveLength(2);
    expect(types(w.applies.at(-1))).toEqual({ Ready: 'True/Accepted' });
  });

  it('marks an invalid spec Stalled', async () => {
    const w = world({ priority: 10, mode: 'transparent', match: { matchers: [{ label: 'team', op: '=~', value: '(?<=x)y' }] } });
    await w.reconcile('ns/payments');
    expect(types(w.applies.at(-1))).toEqual({ Ready: 'False/InvalidSpec', Stalled: 'True/InvalidSpec' });
  });
});
