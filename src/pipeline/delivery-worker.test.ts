import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClassifiedAlert } from '../core/classification.ts';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryStore, RouteDecision } from '../core/outbox.ts';
import { type Publisher, type PublisherRegistry, PublishError, type SendResult, type Target, type TargetCatalog } from '../core/publishing.ts';
import { targetKey } from '../core/target-key.ts';
import type { AlertEvent } from '../core/types.ts';
import { backoffMs, type DeliveryWorker, rowTarget, startDeliveryWorker } from './delivery-worker.ts';

describe('backoffMs', () => {
  it('doubles per attempt with equal jitter, capped', () => {
    const opts = { initialMs: 1000, maxMs: 10_000 };
    expect(backoffMs(1, { ...opts, random: 0 })).toBe(500);
    expect(backoffMs(1, { ...opts, random: 1 })).toBe(1000);
    expect(backoffMs(3, { ...opts, random: 1 })).toBe(4000);
    expect(backoffMs(10, { ...opts, random: 1 })).toBe(10_000);
  });

  it('waits at least the Retry-After, within the cap', () => {
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 30_000, random: 0 })).toBe(30_000);
    expect(backoffMs(1, { initialMs: 1000, maxMs: 60_000, retryAfterMs: 3_600_000, random: 0 })).toBe(60_000);
  });
});

describe('rowTarget', () => {
  const t = (name: string, namespace?: string, enabled = true): Target => ({
    name,
    namespace,
    source: namespace ? 'crd' : 'config',
    type: 'webhook',
    enabled,
    url: undefined,
    credentials: undefined,
    headers: [],
    filter: {},
    delivery: { timeoutMs: 1000, maxAttempts: 3, ratePerMinute: 60 },
    options: {},
  });
  const catalog = (targets: Target[]): TargetCatalog => ({
    kubernetes: true,
    list: () => targets,
    get: (key) => targets.find((x) => targetKey(x) === key),
    refresh: () => Promise.resolve(targets.length),
    lastRefresh: () => '',
  });

  it('finds a row by key, and a row recorded by bare name when one target holds that name', () => {
    const targets = [t('slack', 'team-a'), t('slack', 'team-b'), t('pager', 'team-a')];
    expect(rowTarget(catalog(targets), 'team-b/slack')).toEqual({ target: targets[1] });
    expect(rowTarget(catalog(targets), 'pager')).toEqual({ target: targets[2] });
  });

  it('dead-letters a bare name two namespaces share, a missing and a disabled target', () => {
    expect(rowTarget(catalog([t('slack', 'team-a'), t('slack', 'team-b')]), 'slack')).toEqual({
      error: 'target slack was recorded by bare name, which team-a/slack and team-b/slack now share',
    });
    expect(rowTarget(catalog([]), 'team-a/slack')).toEqual({ error: 'target team-a/slack is no longer configured' });
    expect(rowTarget(catalog([t('hook', undefined, false)]), 'hook')).toEqual({ error: 'target hook is disabled' });
  });
});

// The worker loop against fakes of its ports: an in-memory outbox, a publisher whose every send
// waits until the test answers it, and the clock. Time is vitest's fake Date and setTimeout (the
// breaker reads Date.now() itself); setImmediate stays real, so `flush()` runs every promise
// chain the worker started, and nothing here sleeps or measures time.

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const POLL_MS = 1000;
const DRAIN_MS = 5000;
const OPEN_MS = 30_000;

/** Runs every pending promise continuation (a macrotask boundary; setImmediate is not faked). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function loopTarget(name: string, ratePerMinute = 6000): Target {
  return {
    name,
    source: 'config',
    type: 'webhook',
    enabled: true,
    url: undefined,
    credentials: undefined,
    headers: [],
    filter: {},
    delivery: { timeoutMs: 1000, maxAttempts: 3, ratePerMinute },
    options: {},
  };
}

let lastRowId = 0;
function row(target: string, extra: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  const id = ++lastRowId;
  const event: AlertEvent = {
    id: 1000 + id,
    fingerprint: `fp-${id}`,
    alertname: `Alert${id}`,
    namespace: null,
    severity: null,
    status: 'firing',
    labels: {},
    annotations: {},
    startsAt: '2026-12-01T11:59:00.000000Z',
    endsAt: null,
    generatorURL: '',
    receivedAt: '2026-12-01T12:00:00.000000Z',
    receiver: null,
    updatedAt: '2026-12-01T12:00:00.000000Z',
  };
  return { id, target, attempts: 1, unrouted: false, event, classification: undefined, externalRef: undefined, ...extra };
}

/** The settled key of a row. */
const keyOf = (r: ClaimedDelivery): string => `${r.event.id}/${r.target}`;

/** An in-memory outbox: `due` rows are handed out by claim (honouring `exclude`), outcomes recorded. */
function fakeOutbox(): DeliveryStore & {
  due: ClaimedDelivery[];
  claims: { limit: number; exclude: string[] }[];
  completions: { id: number; worker: string; outcome: DeliveryOutcome; classification?: ClassifiedAlert }[];
} {
  const due: ClaimedDelivery[] = [];
  const claims: { limit: number; exclude: string[] }[] = [];
  const completions: { id: number; worker: string; outcome: DeliveryOutcome; classification?: ClassifiedAlert }[] = [];
  const unused = (): Promise<never> => Promise.reject(new Error('not used by the worker'));
  return {
    due,
    claims,
    completions,
    claim({ limit, exclude }) {
      claims.push({ limit, exclude: [...exclude] });
      const picked = due.filter((r) => !exclude.includes(r.target)).slice(0, limit);
      for (const r of picked) due.splice(due.indexOf(r), 1);
      return Promise.resolve(picked);
    },
    complete(id, worker, outcome, classification) {
      completions.push(classification ? { id, worker, outcome, classification } : { id, worker, outcome });
      return Promise.resolve();
    },
    route: unused,
    list: unused,
    retry: unused,
    totals: unused,
    queueSize: unused,
    deadByTarget: unused,
  };
}

/** One send the fake publisher received; the test answers it. */
interface SendCall {
  eventId: number;
  classification: ClassifiedAlert | undefined;
  answer: Deferred<SendResult>;
}

interface Harness {
  worker: DeliveryWorker;
  outbox: ReturnType<typeof fakeOutbox>;
  sends: SendCall[];
  circuits: [string, string][];
  outcomes: { target: string; kind: DeliveryOutcome['kind'] }[];
  routed: number[];
  outcomeOf(r: ClaimedDelivery): DeliveryOutcome | undefined;
  sendOf(r: ClaimedDelivery): SendCall | undefined;
}

interface HarnessOptions {
  targets?: Target[];
  rows?: ClaimedDelivery[];
  concurrency?: number;
  consecutiveFailures?: number;
  route?: (event: AlertEvent, target: Target) => Promise<RouteDecision>;
  /** Reported errors are collected here; without it a reported error fails the test. */
  errors?: string[];
}

const running: DeliveryWorker[] = [];

function startHarness(options: HarnessOptions = {}): Harness {
  const targets = options.targets ?? [loopTarget('a'), loopTarget('b')];
  const outbox = fakeOutbox();
  outbox.due.push(...(options.rows ?? []));
  const sends: SendCall[] = [];
  const publisher: Publisher<{ eventId: number; classification: ClassifiedAlert | undefined }> = {
    type: 'webhook',
    defaultRatePerMinute: 600,
    validate: () => [],
    format: (alert) => ({ eventId: alert.event.id, classification: alert.classification }),
    send(payload) {
      const answer = deferred<SendResult>();
      sends.push({ ...payload, answer });
      return answer.promise;
    },
  };
  const registry: PublisherRegistry = { get: () => publisher, types: () => ['webhook'] };
  const catalog: TargetCatalog = {
    kubernetes: false,
    list: () => targets,
    get: (key) => targets.find((t) => targetKey(t) === key),
    refresh: () => Promise.resolve(targets.length),
    lastRefresh: () => '',
  };
  const circuits: [string, string][] = [];
  const outcomes: { target: string; kind: DeliveryOutcome['kind'] }[] = [];
  const routed: number[] = [];
  const worker = startDeliveryWorker({
    outbox,
    catalog,
    registry,
    httpFor: () => () => Promise.reject(new Error('the fake publisher sends nothing over HTTP')),
    route: (event, target) => {
      routed.push(event.id);
      return options.route
        ? options.route(event, target)
        : Promise.resolve({ eventId: event.id, target: target.name, pass: true, reason: 'passed', classification: undefined });
    },
    clock: { now: () => Date.now() },
    events: {
      onOutcome: (target, outcome) => outcomes.push({ target: target.name, kind: outcome.kind }),
      onCircuit: (target, state) => circuits.push([target, state]),
      onError: (err, what) => {
        if (!options.errors) throw err;
        options.errors.push(`${what}: ${(err as Error).message}`);
      },
    },
    options: {
      workerId: 'worker-1',
      concurrency: options.concurrency ?? 4,
      pollIntervalMs: POLL_MS,
      leaseMs: 60_000,
      backoffInitialMs: 1000,
      backoffMaxMs: 60_000,
      drainTimeoutMs: DRAIN_MS,
      dashboardUrl: undefined,
      breaker: { consecutiveFailures: options.consecutiveFailures ?? 5, halfOpenAfterMs: OPEN_MS },
    },
    random: () => 0,
  });
  running.push(worker);
  return {
    worker,
    outbox,
    sends,
    circuits,
    outcomes,
    routed,
    outcomeOf: (r) => outbox.completions.find((c) => c.id === r.id)?.outcome,
    sendOf: (r) => sends.find((s) => s.eventId === r.event.id),
  };
}

const ok = (statusCode = 200, externalRef?: string): SendResult => ({ statusCode, externalRef });
const http503 = (): PublishError => new PublishError('HTTP 503', { reason: 'server_error', retryable: true, statusCode: 503 });

/** Whether a promise has settled, without waiting for it. */
function watch(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

describe('delivery worker loop', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: T0 });
  });
  afterEach(async () => {
    const stopping = running.splice(0).map((w) => w.stop());
    await vi.advanceTimersByTimeAsync(DRAIN_MS);
    await Promise.all(stopping);
    vi.useRealTimers();
  });

  describe('claim', () => {
    it('claims up to the free slots, sends each row through its target, and records the outcome', async () => {
      const rows = [row('a'), row('b'), row('a')];
      const h = startHarness({ rows, concurrency: 2 });
      await flush();
      expect(h.outbox.claims).toEqual([{ limit: 2, exclude: [] }]);
      expect(h.sends.map((s) => s.eventId)).toEqual([rows[0]!.event.id, rows[1]!.event.id]);

      h.sendOf(rows[0]!)!.answer.resolve(ok(202, 'ref-1'));
      await flush();
      expect(h.outcomeOf(rows[0]!)).toEqual({ kind: 'succeeded', statusCode: 202, externalRef: 'ref-1' });
      expect(h.outbox.completions[0]!.worker).toBe('worker-1');
      // The freed slot is filled at once, without waiting for the poll interval.
      expect(h.outbox.claims.at(-1)).toEqual({ limit: 1, exclude: [] });
      expect(h.sends.map((s) => s.eventId)).toEqual(rows.map((r) => r.event.id));
      expect(h.outcomes).toEqual([{ target: 'a', kind: 'succeeded' }]);
    });

    it('claims again after the poll interval, or at once when kicked', async () => {
      const h = startHarness();
      await flush();
      expect(h.outbox.claims).toHaveLength(1);
      const late = row('a');
      h.outbox.due.push(late);
      await vi.advanceTimersByTimeAsync(POLL_MS - 1);
      expect(h.outbox.claims).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.outbox.claims).toHaveLength(2);
      expect(h.sendOf(late)).toBeDefined();

      const kicked = row('b');
      h.outbox.due.push(kicked);
      h.worker.kick();
      await flush();
      expect(h.outbox.claims).toHaveLength(3);
      expect(h.sendOf(kicked)).toBeDefined();
    });

    it('retries a retryable failure with backoff, dead-letters a permanent one and the last attempt', async () => {
      const retry = row('a');
      const permanent = row('a');
      const last = row('b', { attempts: 3 });
      const gone = row('team-x/gone');
      const h = startHarness({ rows: [retry, permanent, last, gone] });
      await flush();
      h.sendOf(retry)!.answer.reject(new PublishError('HTTP 429', { reason: 'rate_limited', retryable: true, statusCode: 429, retryAfterMs: 7000 }));
      h.sendOf(permanent)!.answer.reject(new PublishError('HTTP 400', { reason: 'client_error', retryable: false, statusCode: 400 }));
      h.sendOf(last)!.answer.reject(http503());
      await flush();
      expect(h.outcomeOf(retry)).toEqual({ kind: 'retry', atMs: T0 + 7000, statusCode: 429, reason: 'rate_limited', error: 'HTTP 429' });
      expect(h.outcomeOf(permanent)).toEqual({ kind: 'dead', statusCode: 400, reason: 'client_error', error: 'HTTP 400' });
      expect(h.outcomeOf(last)).toEqual({ kind: 'dead', statusCode: 503, reason: 'server_error', error: 'gave up after 3 attempts: HTTP 503' });
      expect(h.outcomeOf(gone)).toEqual({ kind: 'dead', statusCode: undefined, reason: 'client_error', error: 'target team-x/gone is no longer configured' });
      expect(h.sendOf(gone)).toBeUndefined();
    });

    it('reports a failed claim and claims again at the next poll', async () => {
      const errors: string[] = [];
      const h = startHarness({ errors });
      await flush();
      const claim = h.outbox.claim.bind(h.outbox);
      h.outbox.claim = () => Promise.reject(new Error('connection reset'));
      h.worker.kick();
      await flush();
      expect(errors).toEqual(['claiming deliveries: connection reset']);
      h.outbox.claim = claim;
      const next = row('a');
      h.outbox.due.push(next);
      await vi.advanceTimersByTimeAsync(POLL_MS);
      expect(h.sendOf(next)).toBeDefined();
    });

    it('reports an outcome it could not record, and still settles the row', async () => {
      const errors: string[] = [];
      const r = row('a');
      const h = startHarness({ rows: [r], errors });
      h.outbox.complete = () => Promise.reject(new Error('database is down'));
      await flush();
      const wait = watch(h.worker.settled([keyOf(r)], T0 + 10_000));
      h.sendOf(r)!.answer.resolve(ok());
      await flush();
      expect(errors).toEqual(['recording a delivery outcome (the lease will expire and the row be retried): database is down']);
      expect(h.outcomes).toEqual([{ target: 'a', kind: 'succeeded' }]);
      expect(wait.done).toBe(true);
    });

    it('routes a row its process never routed: filtered rows are not sent, passed rows carry the classification', async () => {
      const classification = {
        severity: 'critical',
        confidence: 0.9,
        category: 'availability',
        reasoning: 'r',
        recommendations: [],
        source: 'rules',
        model: 'rules',
        promptVersion: 'v1',
        latencyMs: 0,
        cached: false,
      } as ClassifiedAlert;
      const dropped = row('a', { unrouted: true });
      const passed = row('a', { unrouted: true });
      const h = startHarness({
        rows: [dropped, passed],
        route: (event, target) =>
          Promise.resolve({ eventId: event.id, target: target.name, pass: event.id === passed.event.id, reason: 'noise', classification }),
      });
      await flush();
      expect(h.routed).toEqual([dropped.event.id, passed.event.id]);
      expect(h.outbox.completions.find((c) => c.id === dropped.id)).toEqual({
        id: dropped.id,
        worker: 'worker-1',
        outcome: { kind: 'filtered', reason: 'noise' },
        classification,
      });
      expect(h.sendOf(dropped)).toBeUndefined();
      expect(h.sendOf(passed)?.classification).toEqual(classification);
    });
  });

  describe('release', () => {
    it('hands a row back, unattempted, until the next token when its target is out of tokens; claims skip the target', async () => {
      const first = row('slow');
      const second = row('slow');
      const h = startHarness({ targets: [loopTarget('slow', 60), loopTarget('b')], rows: [first, second] });
      await flush();
      expect(h.sends.map((s) => s.eventId)).toEqual([first.event.id]);
      expect(h.outcomeOf(second)).toEqual({ kind: 'release', atMs: T0 + 1000 });
      expect(h.outcomes).toEqual([]);

      h.worker.kick();
      await flush();
      expect(h.outbox.claims.at(-1)!.exclude).toEqual(['slow']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(h.outbox.claims.at(-1)!.exclude).toEqual([]);
    });

    it('opens the circuit after consecutive retryable failures; claims skip the target and a row reaching it is handed back until the probe', async () => {
      const routing = deferred<RouteDecision>();
      const [f1, f2, late] = [row('a'), row('a'), row('a', { unrouted: true })];
      const h = startHarness({ rows: [f1, f2, late], consecutiveFailures: 2, route: () => routing.promise });
      await flush();
      h.sendOf(f1)!.answer.reject(http503());
      h.sendOf(f2)!.answer.reject(http503());
      await flush();
      expect(h.circuits).toEqual([['a', 'open']]);

      routing.resolve({ eventId: late.event.id, target: 'a', pass: true, reason: 'passed', classification: undefined });
      await flush();
      expect(h.sendOf(late)).toBeUndefined();
      expect(h.outcomeOf(late)).toEqual({ kind: 'release', atMs: T0 + OPEN_MS });

      const other = row('b');
      const waiting = row('a');
      h.outbox.due.push(waiting, other);
      h.worker.kick();
      await flush();
      expect(h.outbox.claims.at(-1)!.exclude).toEqual(['a']);
      expect(h.sendOf(other)).toBeDefined();
      expect(h.outbox.due).toEqual([waiting]);
    });
  });

  describe('half-open', () => {
    /** Opens target a's circuit at T0 with two failures, then queues three rows for it. */
    async function openCircuit(): Promise<{ h: Harness; queued: ClaimedDelivery[] }> {
      const [f1, f2] = [row('a'), row('a')];
      const h = startHarness({ rows: [f1, f2], consecutiveFailures: 2 });
      await flush();
      h.sendOf(f1)!.answer.reject(http503());
      h.sendOf(f2)!.answer.reject(http503());
      await flush();
      const queued = [row('a'), row('a'), row('a')];
      h.outbox.due.push(...queued);
      await vi.advanceTimersByTimeAsync(OPEN_MS - 1);
      expect(h.outbox.claims.length).toBeGreaterThan(OPEN_MS / POLL_MS - 2);
      expect(h.outbox.claims.slice(1).every((c) => c.exclude.includes('a'))).toBe(true);
      expect(h.sends).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      h.worker.kick();
      await flush();
      return { h, queued };
    }

    it('sends one trial delivery once the pause is over; when it fails the others go back without an attempt', async () => {
      const { h, queued } = await openCircuit();
      expect(h.outbox.due).toEqual([]);
      expect(h.sends).toHaveLength(3);
      expect(h.circuits).toEqual([
        ['a', 'open'],
        ['a', 'half_open'],
      ]);
      const [trial, ...rest] = queued;
      expect(h.sendOf(trial!)).toBeDefined();

      h.sendOf(trial!)!.answer.reject(http503());
      await flush();
      expect(h.circuits).toEqual([
        ['a', 'open'],
        ['a', 'half_open'],
        ['a', 'open'],
      ]);
      expect(h.sends).toHaveLength(3);
      expect(h.outcomeOf(trial!)).toMatchObject({ kind: 'retry', reason: 'server_error' });
      for (const r of rest) expect(h.outcomeOf(r)).toEqual({ kind: 'release', atMs: T0 + 2 * OPEN_MS });
    });

    it('closes the circuit when the trial succeeds, and then sends the rows that waited for it', async () => {
      const { h, queued } = await openCircuit();
      expect(h.sends).toHaveLength(3);
      h.sendOf(queued[0]!)!.answer.resolve(ok());
      await flush();
      expect(h.circuits).toEqual([
        ['a', 'open'],
        ['a', 'half_open'],
        ['a', 'closed'],
      ]);
      expect(h.sends.slice(3).map((s) => s.eventId)).toEqual([queued[1]!.event.id, queued[2]!.event.id]);
      for (const s of h.sends.slice(3)) s.answer.resolve(ok());
      await flush();
      for (const r of queued) expect(h.outcomeOf(r)).toMatchObject({ kind: 'succeeded' });
    });
  });

  describe('settled', () => {
    it('resolves when every key finished its first attempt, whatever the outcome, and not before', async () => {
      const [good, bad, other] = [row('a'), row('b'), row('b')];
      const h = startHarness({ rows: [good, bad, other] });
      await flush();
      const wait = watch(h.worker.settled([keyOf(good), keyOf(bad)], T0 + 10_000));
      h.sendOf(other)!.answer.resolve(ok());
      h.sendOf(good)!.answer.resolve(ok());
      await flush();
      expect(wait.done).toBe(false);
      h.sendOf(bad)!.answer.reject(http503());
      await flush();
      expect(wait.done).toBe(true);
    });

    it('gives up at the deadline when a key never settles', async () => {
      const stuck = row('a');
      const h = startHarness({ rows: [stuck] });
      await flush();
      const wait = watch(h.worker.settled([keyOf(stuck)], T0 + 2000));
      await vi.advanceTimersByTimeAsync(1999);
      expect(wait.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(wait.done).toBe(true);
      expect(h.outcomeOf(stuck)).toBeUndefined();
    });

    it('resolves at once for no keys', async () => {
      const h = startHarness();
      const wait = watch(h.worker.settled([], T0 + 60_000));
      await flush();
      expect(wait.done).toBe(true);
    });
  });

  describe('stop', () => {
    it('waits for the deliveries in flight, records their outcome, and claims nothing after', async () => {
      const inflight = row('a');
      const h = startHarness({ rows: [inflight] });
      await flush();
      const claims = h.outbox.claims.length;
      const stopped = watch(h.worker.stop());
      const later = row('b');
      h.outbox.due.push(later);
      h.worker.kick();
      await vi.advanceTimersByTimeAsync(DRAIN_MS - 1);
      expect(stopped.done).toBe(false);

      h.sendOf(inflight)!.answer.resolve(ok());
      await flush();
      expect(stopped.done).toBe(true);
      expect(h.outbox.completions.map((c) => c.outcome.kind)).toEqual(['succeeded']);
      h.worker.kick();
      await vi.advanceTimersByTimeAsync(10 * POLL_MS);
      expect(h.outbox.claims).toHaveLength(claims);
      expect(h.outbox.due).toEqual([later]);
      expect(h.sendOf(later)).toBeUndefined();
    });

    it('hands back what is still in flight at the drain timeout', async () => {
      const slow = row('a');
      const h = startHarness({ rows: [slow] });
      await flush();
      const stopped = watch(h.worker.stop());
      await vi.advanceTimersByTimeAsync(DRAIN_MS - 1);
      expect(stopped.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(stopped.done).toBe(true);
      expect(h.outcomeOf(slow)).toEqual({ kind: 'release', atMs: T0 + DRAIN_MS });
    });

    it('returns at once when nothing is in flight', async () => {
      const h = startHarness();
      await flush();
      const stopped = watch(h.worker.stop());
      await flush();
      expect(stopped.done).toBe(true);
    });
  });
});
