// Observability tier setup: promtool from hack/setup-promtool.sh (PROMTOOL, else its cache, else
// a build from the Prometheus Go module). promtool is required: without it the tier fails, under
// CI=true and elsewhere, because its tests are what checks the dashboard and the alert rules.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the promtool binary. */
    promtool: string;
  }
}

export function setup(project: TestProject): void {
  const script = new URL('../../hack/setup-promtool.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000 });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) {
    const ci = process.env.CI === 'true' ? 'CI=true and ' : '';
    throw new Error(`${ci}promtool is required by the observability tier: hack/setup-promtool.sh failed (exit ${r.status ?? 'signal'})`);
  }
  project.provide('promtool', path);
}
