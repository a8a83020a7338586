// The dashboard and the alert rules against the service: every PromQL expression parses (promtool
// check rules, the dashboard's as recording rules), names only metrics a running service exports
// on /metrics (operator-mode metrics read from the operator registry), matches label values the
// service really writes, and every alert is unit-tested (promtool test rules) and has a runbook.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { createOperatorMetrics } from '../../src/observability/operator-metrics.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createPglite, openPglite } from '../../src/store/pglite.ts';
import { fixture } from '../helpers/fixtures.ts';
import { FAST_WORKER } from '../helpers/publishing.ts';
import { startTestService, type TestService } from '../helpers/service.ts';
import { metricNames } from './promql-names.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const RULES = join(ROOT, 'deploy/prometheus/alert-history-rules.yaml');
const RULE_TESTS = join(ROOT, 'deploy/prometheus/alert-history-rules.test.yaml');
const DASHBOARD = join(ROOT, 'deploy/grafana/alert-history.json');
const RUNBOOK = join(ROOT, 'docs/runbook.md');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}
interface Panel {
  title: string;
  type: string;
  targets?: { expr: string; refId: string }[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; definition?: string }[] };
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function promtool(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(inject('promtool'), args, { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const rules = (): AlertRule[] => (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
const dashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/** Grafana's variables replaced by what Prometheus would see ($__rate_interval is a duration). */
function concrete(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*').replaceAll('$pod', '.*');
}

/** Every PromQL expression of the dashboard: panel targets and the label_values() variable queries. */
function dashboardExprs(): { where: string; expr: string }[] {
  const d = dashboard();
  const panels = d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: concrete(t.expr) })));
  const vars = d.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
      const inner = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
      if (!inner) throw new Error(`variable ${v.name}: not label_values(<selector>, <label>): ${query}`);
      return { where: `variable ${v.name}`, expr: concrete(inner) };
    });
  return [...panels, ...vars];
}

/** Names a scrape shows for the metric families of an exposition (histogram series suffixes too). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('alert rules (promtool)', () => {
  it('promtool check rules accepts the rule file and finds every alert', () => {
    const r = promtool('check', 'rules', RULES);
    expect(r.out).toContain(`SUCCESS: ${rules().length} rules found`);
    expect(r.code).toBe(0);
  });

  it('promtool rejects an expression that does not parse (the check is real)', () => {
    const dir = tempDir('ah-rules-');
    writeFileSync(
      join(dir, 'bad.yaml'),
      'groups:\n  - name: bad\n    rules:\n      - record: bad:x\n        expr: sum(rate(alert_history_http_requests_total[5m])\n',
    );
    const r = promtool('check', 'rules', join(dir, 'bad.yaml'));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/parse error|unclosed/i);
  });

  it('promtool test rules passes the unit tests of every alert', () => {
    const r = promtool('test', 'rules', RULE_TESTS);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('the unit tests cover each alert both firing and not firing', () => {
    const spec = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const cases = spec.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of rules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} fires in some test`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} stays quiet in some test`,
      ).toBe(true);
    }
  });

  it('every alert has a severity, a summary, a description and a runbook_url to an existing runbook section', () => {
    const sections = anchors(readFileSync(RUNBOOK, 'utf8'));
    const wanted = [
      'AlertHistoryDeadLettersGrowing',
      'AlertHistoryTargetCircuitOpen',
      'AlertHistoryWebhookErrors',
      'AlertHistoryNoLeader',
      'AlertHistoryReconcileErrors',
      'AlertHistoryDatabaseUnavailable',
      'AlertHistoryLLMFallbackRateHigh',
    ];
    expect(rules().map((r) => r.alert)).toEqual(expect.arrayContaining(wanted));
    for (const r of rules()) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      const url = r.annotations?.runbook_url ?? '';
      expect(url, r.alert).toBe(`docs/runbook.md#${r.alert.toLowerCase()}`);
      expect(sections, `${r.alert}: docs/runbook.md has no "## ${r.alert}" section`).toContain(r.alert.toLowerCase());
    }
  });
});

describe('dashboard expressions (promtool)', () => {
  it('has a datasource variable used by every panel, and namespace and pod variables', () => {
    const d = dashboard();
    expect(d.templating.list.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['namespace', 'query'],
      ['pod', 'query'],
    ]);
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      expect(JSON.stringify(p), p.title).toContain('"uid":"${datasource}"');
      for (const t of p.targets ?? []) expect(t.expr, p.title).toContain('namespace=~"$namespace", pod=~"$pod"');
    }
  });

  it('every expression parses (as recording rules checked by promtool)', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(25);
    const dir = tempDir('ah-dashboard-');
    const file = join(dir, 'dashboard-rules.json');
    const recording = exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: e.expr }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: recording }] }));
    const r = promtool('check', 'rules', file);
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.code).toBe(0);
  });
});

describe('metric names against a running service', () => {
  let svc: TestService;
  let service: Set<string>;
  let operator: Set<string>;
  let scrape: string;

  beforeAll(async () => {
    const instance = await createPglite();
    await migrate(await openPglite({ instance }));
    const yaml = 'publishing:\n  targets:\n    - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook" }\n';
    svc = await startTestService(await openPglite({ instance }), {}, { configYaml: yaml });
    expect((await svc.post('/webhook', fixture('am-v4-firing.json'))).status).toBe(200);
    expect((await svc.get('/readyz')).status).toBe(200);
    scrape = await (await svc.get('/metrics')).text();
    service = exportedNames(scrape);
    const registry = new Registry();
    createOperatorMetrics(registry);
    operator = exportedNames(await registry.metrics());
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('the name extraction finds metrics and skips functions, labels, keywords and durations', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route=~"/x", b="c"}[5m]))) / on (pod) group_left max without (x) (b_total offset 1h) or vector(1) and c > bool 2e3';
    expect([...metricNames(expr)].sort()).toEqual(['a_bucket', 'b_total', 'c']);
  });

  it('the operator-only metrics are not on a plain service (information: they appear in operator mode)', () => {
    const onlyOperator = [...operator].filter((n) => !service.has(n)).sort();
    expect(onlyOperator).toEqual(expect.arrayContaining(['controller_runtime_reconcile_total', 'leader_election_master_status', 'workqueue_depth']));
  });

  it('the rules name only exported metrics', () => {
    const unknown = rules().flatMap((r) => [...metricNames(r.expr)].filter((n) => !service.has(n) && !operator.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it('the dashboard names only exported metrics, and shows every area the issue lists', () => {
    const names = new Set(dashboardExprs().flatMap((e) => [...metricNames(e.expr)]));
    expect([...names].filter((n) => !service.has(n) && !operator.has(n))).toEqual([]);
    for (const n of [
      'alert_history_webhook_events_total',
      'alert_history_webhook_errors_total',
      'alert_history_db_alerts',
      'alert_history_publishing_total',
      'alert_history_publishing_dead_letters_total',
      'alert_history_publishing_dead_letter_depth',
      'alert_history_publishing_circuit_state',
      'alert_history_classification_duration_seconds_bucket',
      'alert_history_cache_hits_total',
      'alert_history_classification_errors_total',
      'leader_election_master_status',
      'controller_runtime_reconcile_total',
      'workqueue_depth',
      'process_resident_memory_bytes',
    ])
      expect(names, n).toContain(n);
  });

  it('the label values the rules match on are ones the service writes', () => {
    expect(scrape).toMatch(/^alert_history_http_requests_total\{method="GET",route="\/readyz",status_code="200"\} 1$/m);
    expect(scrape).toMatch(/^alert_history_http_requests_total\{method="POST",route="\/webhook",status_code="200"\} 1$/m);
    expect(Object.keys(ERROR_CODES)).toContain('SERVICE_UNAVAILABLE');
    expect(ERROR_CODES.SERVICE_UNAVAILABLE.status).toBe(503);
    expect(scrape).toMatch(/^alert_history_classification_circuit_state 0$/m);
  });
});

describe('dead-letter depth on /metrics (the dashboard panel)', () => {
  let svc: TestService;
  let receiver: Server;
  let status = 400;
  const POLL = { timeout: 15_000, interval: 50 };
  const depth = async (): Promise<string | undefined> =>
    /^alert_history_publishing_dead_letter_depth\{target="hook"\} (\d+)$/m.exec(await (await svc.get('/metrics')).text())?.[1];
  const dead = async (): Promise<{ id: number }[]> =>
    ((await (await svc.get('/publishing/deliveries?state=dead&target=hook')).json()) as { deliveries: { id: number }[] }).deliveries;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const instance = await createPglite();
    await migrate(await openPglite({ instance }));
    svc = await startTestService(
      await openPglite({ instance }),
      {},
      { configYaml: `publishing:\n${FAST_WORKER}  targets:\n    - { name: hook, type: webhook, url: "${url}" }\n` },
    );
  });

  afterAll(async () => {
    await svc?.stop();
    await new Promise((done) => receiver?.close(done));
  });

  it('counts dead letters per target, and a retried one leaves the count', async () => {
    expect(await depth()).toBeUndefined();
    expect((await svc.post('/webhook/proxy', fixture('am-v4-firing.json'))).status).toBe(200);
    await expect.poll(async () => (await dead()).length, POLL).toBe(2);
    expect(await depth()).toBe('2');
    status = 200;
    const [first] = await dead();
    expect((await svc.post(`/publishing/deliveries/${first!.id}/retry`, {})).status).toBe(200);
    await expect.poll(async () => (await dead()).length, POLL).toBe(1);
    expect(await depth()).toBe('1');
  });
});
