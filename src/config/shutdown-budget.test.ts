// On SIGTERM the server drains (server.shutdownTimeoutMs), then the delivery worker
// (publishing.worker.drainTimeoutMs), then the Lease and the pool close. All of it has to end
// before the kubelet's SIGKILL: terminationGracePeriodSeconds, of which the preStop sleep runs
// first. Both the defaults and the configuration the manifests mount must fit, with a margin.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { type Config } from './schema.ts';
import { loadConfig } from './loader.ts';

const MANIFESTS = new URL('../../manifests/', import.meta.url);
/** Left for what stop() does after the two drains: Lease release, retention, pool close, exit. */
const MARGIN_MS = 5_000;

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers?: { lifecycle?: { preStop?: { exec?: { command?: string[] } } } }[];
}

function yamlFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return yamlFiles(new URL(`${e.name}/`, dir));
    return /\.ya?ml$/.test(e.name) ? [new URL(e.name, dir)] : [];
  });
}

/** Every pod template in manifests/ (bases and overlay patches alike). */
function podSpecs(): PodSpec[] {
  return yamlFiles(MANIFESTS).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJSON() as { spec?: { template?: { spec?: PodSpec } } } | null)
      .flatMap((o) => (o?.spec?.template?.spec ? [o.spec.template.spec] : [])),
  );
}

/** Seconds a preStop hook takes: only `sleep N` has a known length. */
function preStopSeconds(command: string[]): number {
  expect(command[0], `a preStop hook of unknown length: ${command.join(' ')}`).toBe('sleep');
  return Number(command[1]);
}

/** The SIGTERM budget the manifests give the process, in ms. */
function manifestBudgetMs(): number {
  const pods = podSpecs();
  const graces = pods.flatMap((p) => (p.terminationGracePeriodSeconds === undefined ? [] : [p.terminationGracePeriodSeconds]));
  const preStops = pods
    .flatMap((p) => p.containers ?? [])
    .flatMap((c) => (c.lifecycle?.preStop?.exec?.command ? [preStopSeconds(c.lifecycle.preStop.exec.command)] : [0]));
  expect(graces.length, 'the manifests set terminationGracePeriodSeconds').toBeGreaterThan(0);
  return (Math.min(...graces) - Math.max(0, ...preStops)) * 1000;
}

const drains = (config: Config): number => config.server.shutdownTimeoutMs + config.publishing.worker.drainTimeoutMs;

describe('shutdown fits the grace period of manifests/', () => {
  it('with the defaults', () => {
    const { config } = loadConfig({ env: {}, cwd: tmpdir() });
    expect(drains(config) + MARGIN_MS).toBeLessThanOrEqual(manifestBudgetMs());
  });

  it('with the configuration the manifests mount', () => {
    const { config } = loadConfig({ configPath: fileURLToPath(new URL('base/app-config.yaml', MANIFESTS)), env: {} });
    expect(drains(config) + MARGIN_MS).toBeLessThanOrEqual(manifestBudgetMs());
  });
});

describe('shutdown fits the grace period of the Helm chart', () => {
  // The chart's Deployment takes terminationGracePeriodSeconds and the preStop sleep from these
  // values and mounts `config` as config.yaml (test/operator/helm.test.ts checks the rendered
  // Deployment carries them); its golden renders show the result.
  const values = parse(readFileSync(new URL('../../charts/alert-history/values.yaml', import.meta.url), 'utf8')) as {
    terminationGracePeriodSeconds: number;
    preStopSleepSeconds: number;
    config: Record<string, unknown>;
  };
  const budgetMs = (values.terminationGracePeriodSeconds - values.preStopSleepSeconds) * 1000;

  it('with the configuration the chart mounts by default', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ah-chart-')), 'config.yaml');
    writeFileSync(file, stringify(values.config));
    const { config } = loadConfig({ configPath: file, env: {} });
    expect(drains(config) + MARGIN_MS).toBeLessThanOrEqual(budgetMs);
  });

  it('with the same budget as manifests/', () => {
    expect(budgetMs).toBe(manifestBudgetMs());
  });
});
