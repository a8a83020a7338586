import { describe, expect, it } from 'vitest';
import type { TargetTotals } from '../core/outbox.ts';
import type { Target } from '../core/publishing.ts';
import { publisherRegistry } from '../publish/registry.ts';
import { createOperatorTargetCatalog } from './catalog.ts';
import type { Condition } from './crd/common.ts';
import type { KubeRest } from './kube/rest.ts';
import { createTargetReconciler, NotReadyYet } from './reconcile-target.ts';
import type { CustomResource } from './resolve-target.ts';
import { createSecretIndex } from './secret-index.ts';
import type { Status } from './status.ts';

/** A fake API server holding one object's status; every apply replaces it (one field manager). */
function world(spec: Record<string, unknown>): {
  rest: KubeRest;
  applies: Status[];
  cr: () => CustomResource;
  secrets: Map<string, string>;
  totals: { value: TargetTotals | null | undefined };
  reconcile: (key: string) => Promise<unknown>;
  catalog: ReturnType<typeof createOperatorTargetCatalog>;
} {
  let status: Status = {};
  let rv = 1;
  const applies: Status[] = [];
  const ok = <T>(): Promise<T> => Promise.resolve({ metadata: { resourceVersion: String(rv) }, status } as T);
  const rest: KubeRest = {
    server: 'https://fake',
    defaultNamespace: 'ns',
    request: <T>() => ok<T>(),
    apply<T>(_path: string, body: unknown): Promise<T> {
      status = (body as { status: Status }).status;
      applies.push(status);
      rv++;
      return ok<T>();
    },
    watch: () => Promise.resolve(() => undefined),
  };
  const cr = (): CustomResource => ({ metadata: { name: 'hook', namespace: 'ns', generation: 1, resourceVersion: String(rv) }, spec, status });
  const secrets = new Map<string, string>();
  const totals: { value: TargetTotals | null | undefined } = { value: null };
  const catalog = createOperatorTargetCatalog({ config: [], relist: () => Promise.resolve() });
  const reconcile = createTargetReconciler({
    resources: { get: (key) => (key === 'ns/hook' ? cr() : undefined) },
    lookup: (_ns, name, key) => {
      const value = secrets.get(`${name}/${key}`);
      return value === undefined ? { found: 'secret-missing' } : { found: 'ok', value };
    },
    registry: publisherRegistry,
    catalog,
    index: createSecretIndex(),
    isLeader: () => true,
    fieldManager: 'op-a_0001',
    rest,
    totals: (key) => (key === 'ns/hook' ? totals.value : null),
    now: () => new Date('2026-11-22T10:00:00Z'),
  });
  return { rest, applies, cr, secrets, totals, reconcile, catalog };
}

const secretTarget: Target = {
  name: 'hook',
  source: 'secret',
  type: 'webhook',
  enabled: true,
  url: undefined,
  credentials: undefined,
  headers: [],
  filter: { excludeNoise: true },
  delivery: { timeoutMs: 10_000, maxAttempts: 8, ratePerMinute: 60 },
  options: {},
};

const types = (status: Status | undefined): Record<string, string> =>
  Object.fromEntries(((status?.conditions ?? []) as Condition[]).map((c) => [c.type, `${c.status}/${c.reason}`]));

const delivered: TargetTotals = {
  target: 'ns/hook',
  succeeded: 3,
  failed: 0,
  dead: 1,
  pending: 0,
  lastSuccess: '2026-11-22T09:59:00.123456Z',
  lastFailure: null,
  lastDead: '2026-11-22T09:58:00Z',
};

describe('PublishingTarget reconciler', () => {
  it('drops endpoint and Healthy when the Secret goes away, and says it waits for it', async () => {
    const w = world({ type: 'webhook', enabled: true, urlSecretRef: { name: 'hook', key: 'url' } });
    w.secrets.set('hook/url', 'https://hooks.example.com/secret-path');
    w.totals.value = delivered;
    await w.reconcile('ns/hook');
    expect(w.applies.at(-1)).toMatchObject({
      endpoint: 'https://hooks.example.com/***',
      deliveries: { succeeded: 3, failed: 0, dead: 1 },
      lastDeliveryTime: '2026-11-22T09:59:00Z',
    });
    expect(types(w.applies.at(-1))).toEqual({ Healthy: 'True/DeliverySucceeded', Ready: 'True/Resolved' });

    w.secrets.clear();
    await expect(w.reconcile('ns/hook')).rejects.toThrow(NotReadyYet);
    const after = w.applies.at(-1)!;
    expect(after).not.toHaveProperty('endpoint');
    expect(types(after)).toEqual({ Ready: 'False/SecretNotFound', Reconciling: 'True/SecretNotFound' });
    expect(after.deliveries).toEqual({ succeeded: 3, failed: 0, dead: 1 });
  });

  it('writes nothing when nothing changed', async () => {
    const w = world({ type: 'webhook', enabled: true, urlSecretRef: { name: 'gone', key: 'url' } });
    await expect(w.reconcile('ns/hook')).rejects.toThrow(NotReadyYet);
    await expect(w.reconcile('ns/hook')).rejects.toThrow(NotReadyYet);
    await expect(w.reconcile('ns/hook')).rejects.toThrow(NotReadyYet);
    expect(w.applies).toHaveLength(1);
  });

  it('marks an invalid spec Stalled (terminal: no retry)', async () => {
    const w = world({ type: 'webhook', enabled: true, url: 'https://x.example.com', filter: { alertNamePattern: '(?=lookahead)' } });
    await expect(w.reconcile('ns/hook')).resolves.toBeUndefined();
    expect(types(w.applies.at(-1))).toEqual({ Ready: 'False/InvalidSpec', Stalled: 'True/InvalidSpec' });
    expect(w.catalog.unresolved?.()).toMatchObject([{ name: 'hook', type: 'webhook', readiness: { ready: false, reason: 'InvalidSpec' } }]);
  });

  it('takes Healthy from the database totals, keeping what status says until they are read', async () => {
    const w = world({ type: 'webhook', enabled: true, url: 'https://x.example.com' });
    w.totals.value = undefined;
    await w.reconcile('ns/hook');
    expect(types(w.applies.at(-1))).toEqual({ Ready: 'True/Resolved' });
    w.totals.value = { ...delivered, lastDead: '2026-11-22T09:59:30Z' };
    await w.reconcile('ns/hook');
    expect(types(w.applies.at(-1))).toMatchObject({ Healthy: 'False/DeliveryFailing' });
    w.totals.value = undefined;
    await w.reconcile('ns/hook');
    expect(w.applies).toHaveLength(2);
  });

  it('tells the catalog why a disabled target is not Ready', async () => {
    const w = world({ type: 'webhook', enabled: false, url: 'https://x.example.com' });
    await w.reconcile('ns/hook');
    expect(w.catalog.readiness?.('ns/hook')).toMatchObject({ ready: false, reason: 'Disabled' });
    expect(types(w.applies.at(-1))).toEqual({ Ready: 'False/Disabled' });
  });

  it('reads its totals under its namespace/name key', async () => {
    const w = world({ type: 'webhook', enabled: true, url: 'https://x.example.com' });
    w.totals.value = delivered;
    await w.reconcile('ns/hook');
    expect(w.applies.at(-1)).toMatchObject({ deliveries: { succeeded: 3, failed: 0, dead: 1 } });
  });

  it('reports ConflictingTarget for a labelled Secret of its own namespace only', async () => {
    const w = world({ type: 'webhook', enabled: true, url: 'https://x.example.com' });
    const fromSecret = (namespace: string): Target => ({ ...secretTarget, namespace });
    w.catalog.setSecret('other/legacy-hook', fromSecret('other'));
    await w.reconcile('ns/hook');
    expect(types(w.applies.at(-1)).Ready).toBe('True/Resolved');
    w.catalog.setSecret('ns/legacy-hook', fromSecret('ns'));
    await w.reconcile('ns/hook');
    expect(types(w.applies.at(-1)).Ready).toBe('True/ConflictingTarget');
    expect((w.applies.at(-1)!.conditions as Condition[]).find((c) => c.type === 'Ready')?.message).toContain(
      'Secret ns/legacy-hook defines a target of the same name and is ignored',
    );
  });
});
