// Leader election on a coordination.k8s.io/v1 Lease with client-go's algorithm: try to acquire or
// renew every retry period; another holder's lease counts as expired only after leaseDuration of
// *local* time without seeing its record change (clock skew between nodes does not matter);
// writes use optimistic concurrency (resourceVersion); a takeover bumps leaseTransitions; a
// leader that cannot renew within the renew deadline stops its leader-only work at once; stop()
// releases the Lease so a successor need not wait for it to expire.
import type { KubeRest } from './kube/rest.ts';
import { KubeError } from './kube/rest.ts';
import { asError } from '../core/startup-error.ts';

/** The Lease fields we read and write. */
interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Logging the elector needs. */
export interface ElectorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link startLeaderElection}. */
export interface ElectorOptions {
  rest: KubeRest;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: ElectorLog;
  now?: () => number;
}

/** A running elector. */
export interface LeaderElector {
  readonly identity: string;
  isLeader(): boolean;
  /** Stops trying; a leader stops leading and releases the Lease. */
  stop(): Promise<void>;
}

/** A MicroTime as the API server wants it: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Starts the election loop. */
export function startLeaderElection(options: ElectorOptions): LeaderElector {
  const { rest, namespace, name, identity, log } = options;
  const now = options.now ?? Date.now;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  let leader = false;
  let running = true;
  let lastRenew = 0;
  let observed: { key: string; at: number } | undefined;
  let current: Lease | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    log.info({ lease: `${namespace}/${name}`, identity }, value ? 'became leader' : 'stopped leading');
    if (value) options.onStartedLeading();
    else options.onStoppedLeading();
  };

  const recordKey = (lease: Lease): string => `${lease.spec?.holderIdentity ?? ''}|${lease.spec?.renewTime ?? ''}|${lease.spec?.leaseTransitions ?? 0}`;

  function heldByOther(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder === '' || holder === identity) return false;
    const key = recordKey(lease);
    if (observed?.key !== key) observed = { key, at: now() };
    const duration = (lease.spec?.leaseDurationSeconds ?? options.leaseDurationMs / 1000) * 1000;
    return observed.at + duration > now();
  }

  function spec(previous: Lease['spec'], takeover: boolean): NonNullable<Lease['spec']> {
    const at = microTime(now());
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.round(options.leaseDurationMs / 1000),
      acquireTime: takeover ? at : (previous?.acquireTime ?? at),
      renewTime: at,
      // client-go: every acquisition of an existing Lease by a new holder counts, even after a release.
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (takeover && previous ? 1 : 0),
    };
  }

  async function tryAcquireOrRenew(): Promise<boolean> {
    let lease: Lease;
    try {
      lease = await rest.request<Lease>('GET', `${path}/${name}`, { timeoutMs: options.retryPeriodMs * 2 });
    } catch (err) {
      if (!(err instanceof KubeError && err.statusCode === 404)) throw err;
      current = await rest.request<Lease>('POST', path, {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec(undefined, true) },
      });
      return true;
    }
    if (heldByOther(lease)) return false;
    const takeover = lease.spec?.holderIdentity !== identity;
    current = await rest.request<Lease>('PUT', `${path}/${name}`, {
      body: { ...lease, spec: spec(lease.spec, takeover) },
      timeoutMs: options.retryPeriodMs * 2,
    });
    return true;
  }

  async function round(): Promise<void> {
    try {
      const acquired = await tryAcquireOrRenew();
      if (acquired) lastRenew = now();
      if (!running) return;
      if (acquired) setLeader(true);
      else if (leader) setLeader(false);
    } catch (err) {
      const conflict = err instanceof KubeError && err.statusCode === 409;
      if (!conflict) log.warn({ lease: `${namespace}/${name}`, err: { message: asError(err).message } }, 'lease update failed');
    }
    // A leader that has not renewed within the renew deadline stops leading at once.
    if (leader && now() - lastRenew > options.renewDeadlineMs) setLeader(false);
  }

  const loop = (async (): Promise<void> => {
    while (running) {
      await round();
      if (!running) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.retryPeriodMs);
      });
    }
  })();

  async function release(): Promise<void> {
    if (!current?.spec || current.spec.holderIdentity !== identity) return;
    const at = microTime(now());
    const spec = { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: at, acquireTime: at };
    await rest.request('PUT', `${path}/${name}`, { body: { ...current, spec }, timeoutMs: 5_000 }).catch((err: unknown) => {
      log.warn({ err: { message: asError(err).message } }, 'could not release the lease (it expires by itself)');
    });
  }

  return {
    identity,
    isLeader: () => leader,
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
      const wasLeader = leader;
      setLeader(false);
      if (wasLeader) await release();
    },
  };
}
