// The operator: informers on every replica (custom resources and Secrets of the watched
// namespaces) feed two work queues whose reconcilers keep the catalogs current; labelled Secrets
// become targets; the Lease elector decides who writes status and Events; the leader refreshes
// delivery health and counts in status at most once per status interval.
import type { EnrichmentPolicy } from '../core/enrichment.ts';
import type { TargetTotals } from '../core/outbox.ts';
import type { PublisherRegistry, Target } from '../core/publishing.ts';
import type { OperatorMetrics } from '../observability/operator-metrics.ts';
import { createOperatorPolicyCatalog, createOperatorTargetCatalog, type OperatorPolicyCatalog, type OperatorTargetCatalog } from './catalog.ts';
import { type LeaderElector, startLeaderElection } from './leader-election.ts';
import { type KubeObject, type ListWatch, type ListWatchLog, startListWatch } from './kube/list-watch.ts';
import type { KubeRest } from './kube/rest.ts';
import { collectionPath, restSource } from './kube/sources.ts';
import { createPolicyReconciler } from './reconcile-policy.ts';
import { createTargetReconciler, type Health, NotReadyYet } from './reconcile-target.ts';
import type { CustomResource, SecretLookup } from './resolve-target.ts';
import { createSecretIndex } from './secret-index.ts';
import { isTargetSecret, parseTargetSecret, type SecretObject } from './secret-target.ts';
import { recordEvent } from './status.ts';
import { startWorkQueue, type WorkQueue } from './work-queue.ts';

/** Options of {@link startOperator}. */
export interface OperatorOptions {
  rest: KubeRest;
  namespaces: readonly string[];
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  timings: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number; watchdogMs: number; statusIntervalMs: number };
  registry: PublisherRegistry;
  configTargets: readonly Target[];
  configPolicies: readonly EnrichmentPolicy[];
  health: (name: string) => Health;
  totals: () => Promise<TargetTotals[]>;
  metrics: OperatorMetrics;
  log: ListWatchLog & { error(obj: object, msg: string): void };
}

/** A running operator. */
export interface Operator {
  targets: OperatorTargetCatalog;
  policies: OperatorPolicyCatalog;
  /** True once every informer has listed once. */
  synced(): boolean;
  isLeader(): boolean;
  stop(): Promise<void>;
}

type Informers = { targets: ListWatch<CustomResource>[]; policies: ListWatch<CustomResource>[]; secrets: ListWatch<SecretObject & KubeObject>[] };

function lookupIn<T>(informers: ListWatch<T>[]): { get(key: string): T | undefined } {
  return { get: (key) => informers.map((i) => i.cache.get(key)).find((v) => v !== undefined) };
}

function secretLookup(secrets: { get(key: string): SecretObject | undefined }): SecretLookup {
  return (namespace, name, key) => {
    const secret = secrets.get(`${namespace}/${name}`);
    if (!secret) return { found: 'secret-missing' };
    const text = secret.stringData?.[key] ?? (secret.data?.[key] === undefined ? undefined : Buffer.from(secret.data[key], 'base64').toString('utf8'));
    return text === undefined ? { found: 'key-missing' } : { found: 'ok', value: text };
  };
}

function allKeys<T>(informers: ListWatch<T>[]): string[] {
  return informers.flatMap((i) => [...i.cache.keys()]);
}

/** Starts informers, queues, reconcilers and the elector. */
export function startOperator(options: OperatorOptions): Operator {
  const { rest, metrics, log } = options;
  const informers: Informers = { targets: [], policies: [], secrets: [] };
  const index = createSecretIndex();
  const totalsCache = new Map<string, TargetTotals>();
  const targets = createOperatorTargetCatalog({ config: options.configTargets, relist: () => relistAll() });
  const policies = createOperatorPolicyCatalog(options.configPolicies);
  // Set once the elector starts (after the queues it feeds exist).
  const election: { elector?: LeaderElector } = {};
  const isLeader = (): boolean => election.elector?.isLeader() ?? false;
  const now = (): Date => new Date();
  const secrets = lookupIn(informers.secrets);

  const queueHooks = (controller: string): Pick<Parameters<typeof startWorkQueue>[0], 'onResult' | 'onError' | 'onDepth'> => ({
    onResult: (result, seconds) => {
      metrics.reconciles.inc({ controller, result });
      metrics.reconcileTime.observe({ controller }, seconds);
    },
    onError: (key, err) => (err instanceof NotReadyYet ? log.info({ controller, key, reason: err.message }, 'not ready yet: retrying with backoff') : log.warn({ controller, key, err: { message: (err as Error).message } }, 'reconcile failed')),
    onDepth: (depth) => metrics.queueDepth.set({ name: controller }, depth),
  });
  const targetQueue: WorkQueue = startWorkQueue({
    name: 'publishingtarget',
    reconcile: createTargetReconciler({ resources: lookupIn(informers.targets), lookup: secretLookup(secrets), registry: options.registry, catalog: targets, index, isLeader, fieldManager: options.identity, rest, health: options.health, totals: (name) => totalsCache.get(name), now }),
    ...queueHooks('publishingtarget'),
  });
  const policyQueue: WorkQueue = startWorkQueue({
    name: 'enrichmentpolicy',
    reconcile: createPolicyReconciler({ resources: lookupIn(informers.policies), catalog: policies, isLeader, fieldManager: options.identity, rest, now }),
    ...queueHooks('enrichmentpolicy'),
  });

  async function onSecret(key: string, secret: SecretObject | undefined): Promise<void> {
    index.dependents(key).forEach((k) => targetQueue.add(k));
    const [namespace] = key.split('/');
    if (!secret || !isTargetSecret(secret.metadata.labels)) {
      targets.setSecret(key, undefined);
      return;
    }
    const parsed = parseTargetSecret(secret, options.registry);
    targets.setSecret(key, parsed.ok ? parsed.target : undefined);
    if (parsed.ok) return targetQueue.add(`${namespace}/${parsed.target.name}`);
    metrics.secretErrors.inc({ namespace: namespace ?? '' });
    log.warn({ secret: key, reason: parsed.reason }, 'skipping a labelled Secret');
    if (isLeader()) {
      await recordEvent(rest, { apiVersion: 'v1', kind: 'Secret', namespace: secret.metadata.namespace, name: secret.metadata.name }, { type: 'Warning', reason: 'InvalidTargetSecret', message: parsed.reason, component: 'alert-history', now: now().toISOString() });
    }
  }

  for (const namespace of options.namespaces) {
    const watchOptions = { watchdogMs: options.timings.watchdogMs, backoff: { initialMs: 500, maxMs: 30_000 }, log };
    informers.targets.push(startListWatch<CustomResource>({ name: `publishingtargets/${namespace}`, source: restSource(rest, collectionPath('publishingtargets', namespace)), onChange: (c) => targetQueue.add(c.key), ...watchOptions }));
    informers.policies.push(startListWatch<CustomResource>({ name: `enrichmentpolicies/${namespace}`, source: restSource(rest, collectionPath('enrichmentpolicies', namespace)), onChange: (c) => policyQueue.add(c.key), ...watchOptions }));
    informers.secrets.push(
      startListWatch<SecretObject & KubeObject>({
        name: `secrets/${namespace}`,
        source: restSource(rest, collectionPath('secrets', namespace)),
        onChange: (c) => void onSecret(c.key, c.type === 'delete' ? undefined : c.object).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'secret event failed')),
        ...watchOptions,
      }),
    );
  }

  const enqueueAll = (): void => {
    allKeys(informers.targets).forEach((k) => targetQueue.add(k));
    allKeys(informers.policies).forEach((k) => policyQueue.add(k));
  };
  async function refreshStatus(): Promise<void> {
    if (!isLeader()) return;
    try {
      totalsCache.clear();
      for (const t of await options.totals()) totalsCache.set(t.target, t);
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'delivery totals unavailable for status');
    }
    allKeys(informers.targets).forEach((k) => targetQueue.add(k));
  }
  const statusTimer = setInterval(() => void refreshStatus(), options.timings.statusIntervalMs);

  async function relistAll(): Promise<void> {
    await Promise.all([...informers.targets, ...informers.policies, ...informers.secrets].map((i) => i.relist()));
  }

  election.elector = startLeaderElection({
    rest,
    namespace: options.leaseNamespace,
    name: options.leaseName,
    identity: options.identity,
    ...options.timings,
    onStartedLeading: () => {
      metrics.leader.set({ name: options.leaseName }, 1);
      void refreshStatus();
      enqueueAll();
    },
    onStoppedLeading: () => metrics.leader.set({ name: options.leaseName }, 0),
    log,
  });
  metrics.leader.set({ name: options.leaseName }, 0);

  return {
    targets,
    policies,
    synced: () => [...informers.targets, ...informers.policies, ...informers.secrets].every((i) => i.synced()),
    isLeader,
    async stop() {
      clearInterval(statusTimer);
      await election.elector?.stop();
      await Promise.all([targetQueue.stop(), policyQueue.stop()]);
      await Promise.all([...informers.targets, ...informers.policies, ...informers.secrets].map((i) => i.stop()));
    },
  };
}
