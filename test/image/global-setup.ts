// Image tier setup: hack/build-image.sh installs podman/runc/debootstrap when root and missing
// (hack/setup-podman.sh), builds the local bases once and builds ./Dockerfile. Without podman and
// not as root (nothing can install it) the tier is skipped with one line, except under CI=true,
// where that fails; a failed build always fails.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Reference of the image built from ./Dockerfile; empty when the tier is skipped. */
    image: string;
    /** The containers.conf podman must use on this host (runc, cgroupfs). */
    containersConf: string;
  }
}

function podmanMissingAndNotInstallable(): boolean {
  const found = spawnSync('sh', ['-c', 'command -v podman'], { stdio: 'ignore' }).status === 0;
  return !found && process.getuid?.() !== 0;
}

export function setup(project: TestProject): void {
  project.provide('containersConf', new URL('../../.tools/podman/containers.conf', import.meta.url).pathname);
  if (process.env.CI !== 'true' && podmanMissingAndNotInstallable()) {
    console.warn('[image] skipped: podman is not installed and only root can install it (apt-get install podman runc debootstrap)');
    project.provide('image', '');
    return;
  }
  const script = new URL('../../hack/build-image.sh', import.meta.url).pathname;
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const image = r.stdout.trim();
  if (r.status !== 0 || !image) {
    const ci = process.env.CI === 'true' ? 'CI=true and ' : '';
    throw new Error(`${ci}podman is required by the image tier: hack/build-image.sh failed (exit ${r.status ?? 'signal'})`);
  }
  project.provide('image', image);
}
