// The operator: informers on every replica (custom resources and Secrets of the watched
// namespaces) feed two work queues whose reconcilers keep the catalogs current; labelled Secrets
// become targets; the Lease elector decides who writes status and Events; the leader reads
// delivery health and counts and policy match counts (all replicas', from the database) at most
// once per status interval and writes what changed.
import type { EnrichmentPolicy, PolicyMatches } from '../core/enrichment.ts';
import type { TargetTotals } from '../core/outbox.ts';
import type { PublisherRegistry, Target } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { OperatorMetrics } from '../observability/operator-metrics.ts';
import { createOperatorPolicyCatalog, createOperatorTargetCatalog, type OperatorPolicyCatalog, type OperatorTargetCatalog } from './catalog.ts';
import { type LeaderElector, startLeaderElection } from './leader-election.ts';
import { type ListWatch, type ListWatchLog, startListWatch } from './kube/list-watch.ts';
import type { KubeRest } from './kube/rest.ts';
import { collectionPath, restSource } from './kube/sources.ts';
import { createPolicyReconciler } from './reconcile-policy.ts';
import { createTargetReconciler, NotReadyYet } from './reconcile-target.ts';
import type { CustomResource } from './resolve-target.ts';
import { createSecretIndex } from './secret-index.ts';
import { secretKeysOf, startSecretInformers } from './secret-informers.ts';
import { isTargetSecret, parseTargetSecret, type SecretObject } from './secret-target.ts';
import { recordEvent } from './status.ts';
import { createConflictReporter } from './target-conflicts.ts';
import { type ReconcileResult, startWorkQueue, type WorkQueue } from './work-queue.ts';
import { asError } from '../core/startup-error.ts';

/** Options of {@link startOperator}. */
export interface OperatorOptions {
  rest: KubeRest;
  namespaces: readonly string[];
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  timings: {
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
    watchdogMs: number;
    statusIntervalMs: number;
    watchTimeoutSeconds?: number;
  };
  registry: PublisherRegistry;
  configTargets: readonly Target[];
  configPolicies: readonly EnrichmentPolicy[];
  /** Delivery totals of every replica (the database). */
  totals: () => Promise<TargetTotals[]>;
  /** Policy match counts of every replica (the database). */
  policyMatches: () => Promise<PolicyMatches[]>;
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

type Informers = { targets: ListWatch<CustomResource>[]; policies: ListWatch<CustomResource>[]; secrets: ListWatch<unknown>[] };

function lookupIn<T>(informers: ListWatch<T>[]): { get(key: string): T | undefined } {
  return { get: (key) => informers.map((i) => i.cache.get(key)).find((v) => v !== undefined) };
}

function allKeys<T>(informers: ListWatch<T>[]): string[] {
  return informers.flatMap((i) => [...i.cache.keys()]);
}

/** Starts informers, queues, reconcilers and the elector. */
export function startOperator(options: OperatorOptions): Operator {
  const { rest, metrics, log } = options;
  const informers: Informers = { targets: [], policies: [], secrets: [] };
  const index = createSecretIndex();
  // Undefined until first read: reconcilers then keep what status already says.
  const facts: { totals?: Map<string, TargetTotals>; matches?: Map<string, PolicyMatches> } = {};
  const targets = createOperatorTargetCatalog({ config: options.configTargets, relist: () => relistAll() });
  const policies = createOperatorPolicyCatalog(options.configPolicies);
  // Set once the elector starts (after the queues it feeds exist).
  const election: { elector?: LeaderElector } = {};
  const isLeader = (): boolean => election.elector?.isLeader() ?? false;
  const now = (): Date => new Date();
  // Labelled Secrets whose Warning Event this leader has recorded (key -> resourceVersion).
  const warned = new Map<string, string | undefined>();
  const watchOptions = {
    watchdogMs: options.timings.watchdogMs,
    backoff: { initialMs: 500, maxMs: 30_000 },
    log,
    onRequest: (verb: 'list' | 'watch', informer: string) => metrics.informerRequests.inc({ informer, verb }),
  };
  const source = { watchTimeoutSeconds: options.timings.watchTimeoutSeconds };

  const queueHooks = (controller: string): Pick<Parameters<typeof startWorkQueue>[0], 'onResult' | 'onError' | 'onDepth'> => ({
    onResult: (result, seconds) => {
      metrics.reconciles.inc({ controller, result });
      metrics.reconcileTime.observe({ controller }, seconds);
    },
    onError: (key, err) =>
      err instanceof NotReadyYet
        ? log.info({ controller, key, reason: err.message }, 'not ready yet: retrying with backoff')
        : log.warn({ controller, key, err: { message: asError(err).message } }, 'reconcile failed'),
    onDepth: (depth) => metrics.queueDepth.set({ name: controller }, depth),
  });
  const targetQueue: WorkQueue = startWorkQueue({
    name: 'publishingtarget',
    reconcile: withSecrets(
      createTargetReconciler({
        resources: lookupIn(informers.targets),
        lookup: (namespace, name, key) => secrets.lookup(namespace, name, key),
        registry: options.registry,
        catalog: targets,
        index,
        isLeader,
        fieldManager: options.identity,
        rest,
        totals: (key) => (facts.totals ? (facts.totals.get(key) ?? null) : undefined),
        now,
      }),
    ),
    ...queueHooks('publishingtarget'),
  });
  const policyQueue: WorkQueue = startWorkQueue({
    name: 'enrichmentpolicy',
    reconcile: createPolicyReconciler({
      resources: lookupIn(informers.policies),
      catalog: policies,
      isLeader,
      fieldManager: options.identity,
      rest,
      matches: (key) => (facts.matches ? (facts.matches.get(key) ?? null) : undefined),
      now,
    }),
    ...queueHooks('enrichmentpolicy'),
  });

  /** Reads the Secrets a target references (GET what changed) before it is reconciled. */
  function withSecrets(reconcile: (key: string) => Promise<ReconcileResult | undefined>): (key: string) => Promise<ReconcileResult | undefined> {
    return async (key) => {
      await secrets.load(secretKeysOf(lookupIn(informers.targets).get(key)));
      return reconcile(key);
    };
  }

  async function onSecret(key: string, secret: SecretObject | undefined): Promise<void> {
    const [namespace] = key.split('/');
    // The custom resource of the target this Secret defined re-checks its ConflictingTarget.
    const before = targets.secretTarget(key);
    if (before) targetQueue.add(before);
    if (!secret || !isTargetSecret(secret.metadata.labels)) {
      targets.setSecret(key, undefined);
      warned.delete(key);
      return;
    }
    const parsed = parseTargetSecret(secret, options.registry);
    targets.setSecret(key, parsed.ok ? parsed.target : undefined);
    if (parsed.ok) return targetQueue.add(targetKey(parsed.target));
    metrics.secretErrors.inc({ namespace: namespace ?? '' });
    log.warn({ secret: key, reason: parsed.reason }, 'skipping a labelled Secret');
    // Once per version: a Secret carrying both discovery labels is seen by two informers.
    if (!isLeader() || (warned.has(key) && warned.get(key) === secret.metadata.resourceVersion)) return;
    warned.set(key, secret.metadata.resourceVersion);
    const involved = { apiVersion: 'v1', kind: 'Secret', namespace: secret.metadata.namespace, name: secret.metadata.name };
    await recordEvent(rest, involved, {
      type: 'Warning',
      reason: 'InvalidTargetSecret',
      message: parsed.reason,
      component: 'alert-history',
      now: now().toISOString(),
    }).catch((err: unknown) => {
      warned.delete(key);
      throw err;
    });
  }
  const onLabelled = (key: string, secret: SecretObject | undefined): void =>
    void onSecret(key, secret).catch((err: unknown) => log.warn({ secret: key, err: { message: asError(err).message } }, 'secret event failed'));

  for (const namespace of options.namespaces) {
    informers.targets.push(
      startListWatch<CustomResource>({
        name: `publishingtargets/${namespace}`,
        source: restSource(rest, collectionPath('publishingtargets', namespace), source),
        onChange: (c) => targetQueue.add(c.key),
        ...watchOptions,
      }),
    );
    informers.policies.push(
      startListWatch<CustomResource>({
        name: `enrichmentpolicies/${namespace}`,
        source: restSource(rest, collectionPath('enrichmentpolicies', namespace), source),
        onChange: (c) => policyQueue.add(c.key),
        ...watchOptions,
      }),
    );
  }
  const secrets = startSecretInformers({
    rest,
    namespaces: options.namespaces,
    listWatch: watchOptions,
    ...source,
    onLabelled,
    onChanged: (key) => index.dependents(key).forEach((k) => targetQueue.add(k)),
  });
  informers.secrets.push(...secrets.informers);
  const conflicts = createConflictReporter({
    rest,
    isLeader,
    now,
    onError: (secret, err) => log.warn({ secret, err: { message: asError(err).message } }, 'conflict event failed'),
  });
  targets.onChange(() => void conflicts.report(targets.conflicts()));

  const enqueueAll = (): void => {
    allKeys(informers.targets).forEach((k) => targetQueue.add(k));
    allKeys(informers.policies).forEach((k) => policyQueue.add(k));
  };
  async function refreshStatus(): Promise<void> {
    if (!isLeader()) return;
    try {
      const [totals, matches] = await Promise.all([options.totals(), options.policyMatches()]);
      facts.totals = new Map(totals.map((t) => [t.target, t]));
      facts.matches = new Map(matches.map((m) => [m.policy, m]));
    } catch (err) {
      log.warn({ err: { message: asError(err).message } }, 'delivery totals and policy matches unavailable for status: keeping the last read');
    }
    enqueueAll();
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
      // Labelled Secrets too: a malformed one listed before this election gets its Warning now.
      warned.clear();
      secrets.labelledKeys().forEach((key) => onLabelled(key, secrets.labelled(key)));
      conflicts.reset();
      void conflicts.report(targets.conflicts());
    },
    onStoppedLeading: () => {
      metrics.leader.set({ name: options.leaseName }, 0);
      // Read again on the next election rather than written back stale.
      delete facts.totals;
      delete facts.matches;
    },
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
