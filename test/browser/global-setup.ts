// Browser tier setup: a real headless Chromium (Debian's `chromium` package, driven by
// playwright-core). CHROMIUM_PATH wins; else /usr/bin/chromium; else, as root, the package is
// installed with apt-get. Under CI=true a missing browser fails the run; elsewhere the tier is
// skipped with one line.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the Chromium executable, or '' when the tier is skipped. */
    chromiumPath: string;
  }
}

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit && existsSync(explicit)) return explicit;
  return CANDIDATES.find((p) => existsSync(p));
}

function install(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  process.stderr.write(
    "[browser] no Chromium found: installing Debian's chromium package system-wide with apt-get as root (once; set CHROMIUM_PATH to use another browser)\n",
  );
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });
  if (r.status !== 0) spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 5 * 60_000 });
  if (r.status !== 0)
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });
  return found();
}

export function setup(project: TestProject): void {
  const path = found() ?? install();
  if (!path) {
    const why = 'no Chromium (set CHROMIUM_PATH, or `apt-get install chromium` as root)';
    if (process.env.CI === 'true') throw new Error(`CI=true and a browser is required: ${why}`);
    process.stderr.write(`[browser] skipping the browser tier: ${why}\n`);
    project.provide('chromiumPath', '');
    return;
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  process.stderr.write(`[browser] ${version} at ${path}\n`);
  project.provide('chromiumPath', path);
}
