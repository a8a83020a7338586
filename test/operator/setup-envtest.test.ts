// hack/setup-envtest.sh on a cold cache says what it is doing while it takes long: every
// ENVTEST_PROGRESS_SECONDS while it waits for another run's lock (with that run's step) and while
// a Go step runs (with the step's name), and how long a cold build takes and how much disk it
// fills. The Go toolchain is a fake that blocks until the test releases it, and the other run is a
// flock holder the test releases, so each step lasts exactly until its progress line was seen.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../hack/setup-envtest.sh', import.meta.url).pathname;
const K8S = 'v1.34.10';
const WAIT_MS = 30_000;

// Blocks `go mod download` until $FAKE_GO_RELEASE exists, then reports a proxy error (or gives up
// when the test's directory is gone, so nothing outlives a failed test).
const FAKE_GO = `#!/usr/bin/env bash
case "$1 $2" in
  "env GOVERSION") echo go1.99-fake ;;
  "env GOPROXY") echo off ;;
  "mod download")
    while [ ! -e "$FAKE_GO_RELEASE" ] && [ -d "\${FAKE_GO_RELEASE%/*}" ]; do sleep 0.1; done
    printf '{\\n\\t"Path": "k8s.io/kubernetes",\\n\\t"Error": "fake proxy is down"\\n}\\n' ;;
  *) exit 2 ;;
esac
`;

interface Run {
  child: ChildProcess;
  stderr(): string;
  /** Resolves once stderr has a line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Run {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    waiters.splice(0).forEach((w) => w());
  };
  child.stderr.on('data', onData);
  child.stdout.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const line = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${WAIT_MS} ms; output:\n${text}`)), WAIT_MS);
      const check = (): void => {
        const found = text.split('\n').find((l) => pattern.test(l));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { child, stderr: () => text, line, exit };
}

const hasFlock = spawnSync('flock', ['--version']).status === 0;

describe('hack/setup-envtest.sh progress on a cold cache', () => {
  const started: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A cold cache, a fake `go` first on PATH, progress every second. */
  function coldEnv(): { env: Record<string, string>; cache: string; release: string } {
    const root = mkdtempSync(join(tmpdir(), 'ah-envtest-progress-'));
    dirs.push(root);
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'go'), FAKE_GO);
    chmodSync(join(bin, 'go'), 0o755);
    const cache = join(root, 'cache', 'alert-history', 'envtest');
    mkdirSync(cache, { recursive: true });
    const env = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: root,
      XDG_CACHE_HOME: join(root, 'cache'),
      TMPDIR: root,
      ENVTEST_SKIP_DOWNLOAD: '1',
      ENVTEST_PROGRESS_SECONDS: '1',
      FAKE_GO_RELEASE: join(root, 'release-go'),
    };
    return { env, cache, release: join(root, 'release-go') };
  }

  it('says up front how long a cold build takes and how much disk it fills', async () => {
    const { env } = coldEnv();
    const script = run('bash', [SCRIPT], { ...env, ENVTEST_NO_BUILD: '1' });
    started.push(script.child);
    expect(await script.exit).toBe(1);
    expect(script.stderr()).toMatch(/cold build from Go modules took about \d+ minutes .* and fills about 3\.4 GB of disk/);
  });

  it('names the Go step and the time elapsed while the step runs', async () => {
    const { env, release } = coldEnv();
    const script = run('bash', [SCRIPT], env);
    started.push(script.child);
    const progress = await script.line(/still fetching k8s\.io\/kubernetes@v1\.34\.10: \d+m\d\ds so far/);
    expect(progress).toMatch(/since this run started/);
    writeFileSync(release, '');
    expect(await script.exit).toBe(1);
    expect(script.stderr()).toContain('go mod download k8s.io/kubernetes@v1.34.10 failed: fake proxy is down');
  });

  it.runIf(hasFlock)("names the other run's step and the time elapsed while it waits for the lock", async () => {
    const { env, cache } = coldEnv();
    const lock = join(cache, `.lock-k8s-${K8S}`);
    writeFileSync(join(cache, `.status-k8s-${K8S}`), `building kube-apiserver ${K8S} since 12:00:00 (pid 1)\n`);
    const releaseLock = join(cache, 'release-lock');
    const holder = run('flock', [lock, 'bash', '-c', `echo locked; while [ ! -e '${releaseLock}' ] && [ -d '${cache}' ]; do sleep 0.1; done`], env);
    started.push(holder.child);
    await holder.line(/^locked$/);

    const script = run('bash', [SCRIPT], { ...env, ENVTEST_NO_BUILD: '1' });
    started.push(script.child);
    await script.line(/another setup-envtest run is installing v1\.34\.10 \(building kube-apiserver/);
    const progress = await script.line(/still waiting for the other run's lock: \d+m\d\ds so far/);
    expect(progress).toContain(`the other run is building kube-apiserver ${K8S}`);
    writeFileSync(releaseLock, '');
    expect(await holder.exit).toBe(0);
    expect(await script.exit).toBe(1);
    expect(script.stderr()).toContain('no assets found and ENVTEST_NO_BUILD=1');
  });
});
