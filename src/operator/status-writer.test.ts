import { describe, expect, it } from 'vitest';
import type { KubeRest } from './kube/rest.ts';
import type { CustomResource } from './resolve-target.ts';
import type { Status } from './status.ts';
import { createStatusWriter } from './status-writer.ts';

interface Call {
  verb: 'APPLY' | 'PATCH';
  path: string;
  body: unknown;
  fieldManager: unknown;
}

/** One object on a fake API server; `coOwned` fields survive an apply that leaves them out (a former leader owns them too). */
function fakeServer(initial: Status, coOwned: string[] = []): { rest: KubeRest; calls: Call[]; object: () => CustomResource } {
  let status: Status = initial;
  let rv = 1;
  const calls: Call[] = [];
  const stored = (): { metadata: { resourceVersion: string }; status: Status } => ({ metadata: { resourceVersion: String(rv) }, status });
  const rest: KubeRest = {
    server: 'https://fake',
    defaultNamespace: 'default',
    request<T>(method: string, path: string, options?: { body?: unknown; query?: Record<string, unknown> }): Promise<T> {
      calls.push({ verb: 'PATCH', path, body: options?.body, fieldManager: options?.query?.fieldManager });
      const patch = (options?.body as { status: Status }).status;
      status = Object.fromEntries(Object.entries({ ...status, ...patch }).filter(([, v]) => v !== null));
      rv++;
      return Promise.resolve(stored() as T);
    },
    apply<T>(path: string, body: unknown, fieldManager: string): Promise<T> {
      calls.push({ verb: 'APPLY', path, body, fieldManager });
      const kept = Object.fromEntries(coOwned.filter((k) => k in status).map((k) => [k, status[k]]));
      status = { ...kept, ...(body as { status: Status }).status };
      rv++;
      return Promise.resolve(stored() as T);
    },
    watch: () => Promise.resolve(() => undefined),
  };
  return { rest, calls, object: () => ({ metadata: { name: 'a', namespace: 'ns', resourceVersion: String(rv) }, status }) };
}

const REF = { plural: 'publishingtargets', kind: 'PublishingTarget', namespace: 'ns', name: 'a' } as const;

describe('status writer', () => {
  it('applies the whole status as the field manager, once, even while the informer lags behind', async () => {
    const server = fakeServer({ observedGeneration: 1 });
    const writer = createStatusWriter(server.rest, 'op-a_1234');
    const stale = server.object();
    expect(await writer.write(REF, stale, { observedGeneration: 2, endpoint: 'https://x' })).toBe(true);
    expect(server.calls).toEqual([
      {
        verb: 'APPLY',
        path: '/apis/alerthistory.io/v1alpha1/namespaces/ns/publishingtargets/a/status',
        body: {
          apiVersion: 'alerthistory.io/v1alpha1',
          kind: 'PublishingTarget',
          metadata: { name: 'a', namespace: 'ns' },
          status: { observedGeneration: 2, endpoint: 'https://x' },
        },
        fieldManager: 'op-a_1234',
      },
    ]);
    expect(await writer.write(REF, stale, { observedGeneration: 2, endpoint: 'https://x' })).toBe(false);
    expect(await writer.write(REF, server.object(), { observedGeneration: 2, endpoint: 'https://x' })).toBe(false);
    expect(server.calls).toHaveLength(1);
  });

  it('removes a field the next status leaves out, with a merge patch of nulls when a former leader co-owns it', async () => {
    const server = fakeServer({ observedGeneration: 1, endpoint: 'https://x', lastDeliveryTime: 't' }, ['endpoint']);
    const writer = createStatusWriter(server.rest, 'op-b_5678');
    expect(await writer.write(REF, server.object(), { observedGeneration: 1, endpoint: undefined })).toBe(true);
    expect(server.calls.map((c) => c.verb)).toEqual(['APPLY', 'PATCH']);
    expect(server.calls[1]).toMatchObject({ body: { status: { endpoint: null } }, fieldManager: 'op-b_5678' });
    expect(server.object().status).toEqual({ observedGeneration: 1 });
    expect(await writer.write(REF, server.object(), { observedGeneration: 1 })).toBe(false);
  });

  it('writes again once the server changed under it', async () => {
    const server = fakeServer({ observedGeneration: 1 });
    const writer = createStatusWriter(server.rest, 'op-a_1234');
    await writer.write(REF, server.object(), { observedGeneration: 1, matchedAlerts: 1 });
    const changed = { ...server.object(), metadata: { name: 'a', namespace: 'ns', resourceVersion: '99' }, status: { observedGeneration: 1 } };
    expect(writer.current(changed)).toEqual({ observedGeneration: 1 });
    expect(await writer.write(REF, changed, { observedGeneration: 1, matchedAlerts: 1 })).toBe(true);
  });
});
