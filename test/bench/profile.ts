// `make profile`: the ingest load of `make bench` (1-alert bodies from 50 connections, 100-alert
// bodies from 10, against PostgreSQL) with the service under `node --cpu-prof`, then the top
// self-time functions of the loaded window (start-up and warm-up samples are left out). Writes the
// profiles and summary.md under .bench/profile/<time>/ and prints the summary.
//
// `--measure` runs the same load twice without the profiler (req/s, p50/p99, alerts/s, p99 at a
// fixed 500 req/s, and the service's CPU time per request, which the neighbours' load on a shared
// machine moves less than throughput): the before/after numbers of a change. PROFILE_SECONDS sets
// the load length (10 s); the service runs from src/ unless BENCH_CLI names another entry point;
// LOG_REQUESTS=all runs it with an access-log line per request (the bench runs it with none).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase, findPostgres } from '../helpers/postgres.ts';
import { fire, type LoadResult } from './load.ts';
import { webhookBody } from './payloads.ts';
import type { Child } from './processes.ts';
import { renderSummary, summarize, type CpuProfile } from './profile-summary.ts';

process.env.BENCH_CLI ??= new URL('../../src/cli.ts', import.meta.url).pathname;
// processes.ts reads BENCH_CLI when it loads: set above, then import (the type import is erased).
const { SERVICE_NODE_OPTIONS, startService } = await import('./processes.ts');

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const OUT = new URL('../../.bench/profile/', import.meta.url).pathname;
const log = (msg: string): void => void process.stderr.write(`[profile] ${msg}\n`);
/** The bench's service settings; LOG_REQUESTS (none, as in the bench) may be set to profile the access log. */
const SERVICE_ENV = { SERVER_PORT: '0', RETENTION_DAYS: '3650', DATABASE_POOL_SIZE: '10', LOG_REQUESTS: process.env.LOG_REQUESTS ?? 'none' };

interface Phase {
  name: string;
  size: number;
  connections: number;
  rate?: number;
}

const PHASES: Phase[] = [
  { name: '1 alert per request', size: 1, connections: 50 },
  { name: '100 alerts per request', size: 100, connections: 10 },
];

let nextSeq = 0;
const bodies = (size: number) => (): string => {
  const first = nextSeq;
  nextSeq += size;
  return webhookBody(first, size);
};

/** Microseconds on the monotonic clock V8 stamps profile samples with. */
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

function describe(phase: Phase, r: LoadResult): string {
  const alerts = phase.size > 1 ? `, ${r.rps * phase.size} alerts/s` : '';
  return `${r.rps} req/s${alerts}, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`;
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The service's CPU per request: throughput on this shared machine moves with the neighbours' load; this moves less. */
async function withCpu(pid: number, work: () => Promise<LoadResult>): Promise<{ result: LoadResult; cpuPerRequestMs: number }> {
  const before = cpuMs(pid);
  const result = await work();
  return { result, cpuPerRequestMs: (cpuMs(pid) - before) / Math.max(1, result.requests) };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function windowOf(profile: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) return;
    samples.push(id);
    timeDeltas.push(delta);
  });
  // Another clock than ours (should not happen on Linux): keep the whole run rather than nothing.
  return samples.length > 0 ? { ...profile, samples, timeDeltas } : profile;
}

/** Runs `work` against a started service and stops it, also when the load fails. */
async function withService<T>(env: Record<string, string>, work: (svc: Child) => Promise<T>): Promise<T> {
  const svc = await startService(env);
  try {
    return await work(svc);
  } finally {
    await svc.stop();
  }
}

async function profilePhase(url: string, phase: Phase, dir: string): Promise<string> {
  const name = `${phase.size}-alert.cpuprofile`;
  const nodeOptions = `${SERVICE_NODE_OPTIONS} --cpu-prof --cpu-prof-dir=${dir} --cpu-prof-name=${name}`;
  const { result, from, to } = await withService({ ...SERVICE_ENV, DATABASE_URL: url, NODE_OPTIONS: nodeOptions }, async (svc) => {
    log(`${phase.name}: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s profiled`);
    await fire({ url: svc.url, path: '/webhook', bodies: bodies(phase.size), connections: phase.connections, seconds: WARMUP_SECONDS });
    const start = nowUs();
    const loaded = await fire({ url: svc.url, path: '/webhook', bodies: bodies(phase.size), connections: phase.connections, seconds: SECONDS });
    return { result: loaded, from: start, to: nowUs() };
  });
  log(`${phase.name}: ${describe(phase, result)} (under the profiler)`);
  const file = readdirSync(dir).find((f) => f === name);
  if (!file) throw new Error(`no ${name} in ${dir}: did the service exit cleanly?`);
  const summary = summarize(windowOf(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, from, to));
  const busyPerRequest = (summary.totalMs - summary.idleMs) / Math.max(1, result.requests);
  const title = `${phase.name}, ${phase.connections} connections (${describe(phase, result)}; ${busyPerRequest.toFixed(2)} ms busy per request; profiled, so slower than unprofiled)`;
  return renderSummary(title, summary);
}

async function measureRun(url: string, run: number): Promise<string[]> {
  return withService({ ...SERVICE_ENV, DATABASE_URL: url }, async (svc) => {
    await fire({ url: svc.url, path: '/webhook', bodies: bodies(1), connections: 50, seconds: WARMUP_SECONDS });
    const lines: string[] = [];
    for (const phase of [...PHASES, { name: '1 alert per request at 500 req/s', size: 1, connections: 20, rate: 500 }]) {
      const { result, cpuPerRequestMs } = await withCpu(svc.process.pid!, () =>
        fire({
          url: svc.url,
          path: '/webhook',
          bodies: bodies(phase.size),
          connections: phase.connections,
          seconds: SECONDS,
          ...(phase.rate ? { rate: phase.rate } : {}),
        }),
      );
      const cpu = `service CPU ${(cpuPerRequestMs * 1000).toFixed(0)} us/request${phase.size > 1 ? ` (${((cpuPerRequestMs * 1000) / phase.size).toFixed(1)} us/alert)` : ''}`;
      const line = `run ${run}: ${phase.name}: ${describe(phase, result)}; ${cpu}; load average ${load()}`;
      log(line);
      lines.push(`- ${line}`);
    }
    return lines;
  });
}

async function main(): Promise<void> {
  const measure = process.argv.includes('--measure');
  const server = await findPostgres();
  if (typeof server === 'string') throw new Error(`make profile needs PostgreSQL: ${server}`);
  const dbName = `alert_history_profile_${process.pid}`;
  const url = await createDatabase(server.adminUrl, dbName);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(OUT, `${stamp}${measure ? '-measure' : ''}`);
  mkdirSync(dir, { recursive: true });
  const sections = [
    `# Ingest ${measure ? 'load' : 'profile'} ${new Date().toISOString()}`,
    '',
    `Service: ${process.env.BENCH_CLI}; NODE_OPTIONS ${SERVICE_NODE_OPTIONS}; LOG_REQUESTS=${SERVICE_ENV.LOG_REQUESTS}; ${SECONDS} s per phase.`,
    '',
  ];
  try {
    if (measure) {
      for (const run of [1, 2]) sections.push(...(await measureRun(url, run)));
    } else {
      for (const phase of PHASES) sections.push(await profilePhase(url, phase, dir));
    }
  } finally {
    await dropDatabase(server.adminUrl, dbName).catch(() => undefined);
    await server.stop();
  }
  const text = `${sections.join('\n')}\n`;
  writeFileSync(join(dir, 'summary.md'), text);
  process.stdout.write(text);
  log(`written to ${join(dir, 'summary.md')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[profile] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
