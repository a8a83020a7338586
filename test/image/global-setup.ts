// Image tier setup: hack/build-image.sh installs podman/runc/debootstrap when root and missing
// (hack/setup-podman.sh), builds the local bases once and builds ./Dockerfile. A missing podman
// fails the tier (under CI=true and elsewhere): the image is what users run.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Reference of the image built from ./Dockerfile. */
    image: string;
    /** The containers.conf podman must use on this host (runc, cgroupfs). */
    containersConf: string;
  }
}

export function setup(project: TestProject): void {
  const script = new URL('../../hack/build-image.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const image = r.stdout.trim();
  if (r.status !== 0 || !image) {
    const ci = process.env.CI === 'true' ? 'CI=true and ' : '';
    throw new Error(`${ci}podman is required by the image tier: hack/build-image.sh failed (exit ${r.status ?? 'signal'})`);
  }
  project.provide('image', image);
  project.provide('containersConf', new URL('../../.tools/podman/containers.conf', import.meta.url).pathname);
}
