// Child processes of the bench: the service (as users run it) and the bare reference server,
// with start-to-ready timing and RSS sampling from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EMBEDDED_NODE_FLAGS } from '../../src/store/wasm-flags.ts';

// The built service, as the container image runs it (`make bench` builds first). BENCH_CLI runs
// another entry point instead (e.g. a committed snapshot's src/cli.ts, for one part run alone).
const CLI = process.env.BENCH_CLI ?? new URL('../../dist/cli.js', import.meta.url).pathname;
/** V8 heap settings the image sets (Dockerfile NODE_OPTIONS); override with BENCH_NODE_OPTIONS. */
export const SERVICE_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=256 --max-semi-space-size=8';
const BARE = new URL('./bare-server.ts', import.meta.url).pathname;
/** The V8 flags the image's ENTRYPOINT passes (src/store/wasm-flags.ts). */
export const SERVICE_NODE_FLAGS: readonly string[] = EMBEDDED_NODE_FLAGS;

/** A running child. */
export interface Child {
  process: ChildProcess;
  url: string;
  readyMs: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** Starts `alert-history serve` and resolves when it logs that it is ready. */
export function startService(env: Record<string, string>): Promise<Child> {
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, CLI, 'serve'], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: SERVICE_NODE_OPTIONS, LOG_LEVEL: 'info', LOG_REQUESTS: 'none', SERVER_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'alert-history ready' && entry.url) {
        resolve({ process: child, url: entry.url, readyMs: performance.now() - started, stop: stopper(child) });
      }
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code} before ready`)));
  });
}

/** Starts the bare node:http reference server. */
export function startBare(): Promise<Child> {
  const started = performance.now();
  const child = spawn(process.execPath, [BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    createInterface({ input: child.stdout }).once('line', (port) => {
      resolve({ process: child, url: `http://127.0.0.1:${port.trim()}`, readyMs: performance.now() - started, stop: stopper(child) });
    });
  });
}

/** Resident set size of a process in MB (from /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Samples RSS every 200 ms while `work` runs; resolves with its result and the peak. */
export async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peakMb = Math.max(peakMb, rssMb(pid));
    } catch {
      // the process exited; keep the last peak
    }
  }, 200);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peakMb, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}
