// `alert-history replay`: the replay of POST /publishing/replay from the command line, against the
// database configured for the service (like `migrate`), with config.yaml's targets, policies and
// global filter as the current configuration, and the enrichment mode stored in the database.
// Exit 0 with the report, 2 on bad usage (naming the flag or the file's field), 1 on a failure.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { configPolicies } from '../classify/config-policies.ts';
import { ConfigError, loadConfig } from '../config/loader.ts';
import { filterFileKind, replayRequestSchema, type ReplayRequest } from '../config/replay-schema.ts';
import { AppError } from '../core/errors.ts';
import { asError } from '../core/startup-error.ts';
import { createSqlModeStore } from '../store/mode-store.ts';
import { openDatabase } from '../store/open.ts';
import { createReplaySource } from '../store/replay-scan.ts';
import { buildCatalog } from './publishing.ts';
import { createReplayer } from './replay.ts';
import { renderReplay } from './replay-table.ts';

/** The usage text of `replay`. */
export const REPLAY_USAGE = `usage: alert-history replay --since 7d [--until TIME] [--filter FILE] [--target NAME] [--policy FILE] [--json] [--config PATH]

  --filter FILE   a target's filter, or the global rules (allowCritical, blockNoise, namespacePatterns), YAML or JSON
  --target NAME   a config.yaml target: replay it as configured, or with --filter in place of its filter
  --policy FILE   an EnrichmentPolicy as in enrichment.policies[] (YAML or JSON)
  --since/--until RFC 3339 or a duration before now (24h, 7d), as GET /history
  --json          the report as JSON (the answer of POST /publishing/replay)
  --examples N    example events per bucket (0..10, default 3)`;

/** Thrown for bad usage: exit 2 with the message. */
class UsageError extends Error {}

const OPTIONS = {
  filter: { type: 'string' },
  policy: { type: 'string' },
  target: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  examples: { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function parse(argv: string[]): Values {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`replay: ${asError(err).message}`);
  }
}

function readRuleFile(flag: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`replay: --${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? asError(err).message})`);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new UsageError(`replay: --${flag} ${path}: not YAML or JSON: ${asError(err).message.split('\n')[0] ?? ''}`);
  }
}

/** The flag a request field came from, for messages. */
function flagOf(path: string, filterFlag: string): string {
  const [head = '', ...rest] = path.split('.');
  const flag = head === 'filter' || head === 'globalFilter' ? filterFlag : head === 'policy' ? '--policy' : `--${head}`;
  return rest.length ? `${flag} (${rest.join('.')})` : flag;
}

function request(v: Values): ReplayRequest {
  if (v.since === undefined) throw new UsageError('replay: --since is required (RFC 3339 or a duration such as 7d)');
  const filter = v.filter === undefined ? undefined : readRuleFile('filter', v.filter);
  const body: Record<string, unknown> = { since: v.since, until: v.until, target: v.target };
  if (filter !== undefined) body[filterFileKind(filter)] = filter;
  if (v.policy !== undefined) body.policy = readRuleFile('policy', v.policy);
  if (v.examples !== undefined) body.examples = Number(v.examples);
  const result = replayRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `replay: ${flagOf(i.path.map(String).join('.'), `--filter ${v.filter ?? ''}`.trim())}: ${i.message}`);
  throw new UsageError(lines.join('\n'));
}

/** A progress bar on stderr (only when it is a terminal): events scanned of the estimate. */
function progressBar(): ((scanned: number, estimated: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (scanned, estimated) => {
    const width = 30;
    const done = Math.min(width, Math.round((scanned / Math.max(estimated, 1)) * width));
    process.stderr.write(
      `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${scanned.toLocaleString('en-US')} / ~${estimated.toLocaleString('en-US')} events`,
    );
  };
}

async function run(v: Values): Promise<void> {
  const req = request(v);
  const { config } = loadConfig(v.config === undefined ? {} : { configPath: v.config });
  // Warnings go to stderr: stdout holds the report only.
  const db = await openDatabase(config, pino({ level: 'warn' }, pino.destination(2)));
  try {
    const replay = createReplayer({
      source: createReplaySource(db.reads),
      catalog: buildCatalog(config),
      policies: configPolicies(config),
      modes: createSqlModeStore(db, config.enrichment.mode),
      globalFilter: config.filters,
      readTimeoutMs: undefined,
    });
    const onProgress = progressBar();
    const report = await replay(req, onProgress ? { onProgress } : {});
    if (onProgress) process.stderr.write('\n');
    process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : renderReplay(report));
  } finally {
    await db.close();
  }
}

/** The one-line-per-problem text of a usage failure, or undefined for a runtime failure. */
function usageText(err: unknown): string | undefined {
  if (err instanceof UsageError) return /required|Unknown option|argument/.test(err.message) ? `${err.message}\n${REPLAY_USAGE}` : err.message;
  if (err instanceof ConfigError) return err.message;
  if (!(err instanceof AppError) || err.code !== 'VALIDATION_ERROR') return undefined;
  const fields = (err.details?.fields ?? []) as { path: string; message: string }[];
  return fields.map((f) => `replay: ${flagOf(f.path, '--filter')}: ${f.message}`).join('\n') || `replay: ${err.message}`;
}

/** A runtime failure in one line: the store's message and, for a database error, the driver's first line. */
function failure(err: unknown): string {
  const { message, cause } = asError(err);
  const detail = err instanceof AppError && err.code === 'INTERNAL_ERROR' && cause ? `: ${asError(cause).message.split('\n')[0] ?? ''}` : '';
  return `${message}${detail}`;
}

/** Runs `replay` with the arguments after the command; resolves the exit code. */
export async function replayCommand(argv: string[]): Promise<number> {
  try {
    await run(parse(argv));
    return 0;
  } catch (err) {
    const usage = usageText(err);
    process.stderr.write(`${usage ?? `replay: ${failure(err)}`}\n`);
    return usage === undefined ? 1 : 2;
  }
}
