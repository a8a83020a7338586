#!/usr/bin/env node
// `alert-history serve | migrate | check-config | version`. Exit codes: 0 ok, 1 runtime failure,
// 2 invalid configuration or usage, 130/143 a second SIGINT/SIGTERM during the drain (128 + signal).
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { ConfigError, type LoadedConfig, loadConfig } from './config/loader.ts';
import { buildCatalog } from './compose/publishing.ts';
import { startService } from './main.ts';
import { REPLAY_USAGE, replayCommand } from './compose/replay-cli.ts';
import { asError, describeStartupError, type StartupContext } from './core/startup-error.ts';
import { createLogger } from './observability/logger.ts';
import { importLegacyCommand } from './legacy/command.ts';
import { migrate } from './store/migrate.ts';
import { openDatabase } from './store/open.ts';
import { VERSION } from './version.ts';

const USAGE = `usage: alert-history [serve|migrate|check-config|replay|version [--verbose]] [--config PATH]

  serve         run the service (default)
  migrate       apply database migrations and exit
  check-config  validate configuration (config.yaml + environment) and exit
  replay        what a filter, policy or target would have done over stored history (replay --help)
  version       print the version (--verbose: also the Node version and binary it runs on)
  import-legacy import a predecessor's history: --from URL (import-legacy --help; docs/import-legacy.md)

On SIGINT/SIGTERM serve drains and exits 0; a second signal exits at once (130/143).

Configuration: --config PATH, else $CONFIG_FILE, else ./config.yaml when present; environment
variables override it (see config/config.example.yaml).`;

function load(configPath: string | undefined): LoadedConfig {
  try {
    return loadConfig(configPath === undefined ? {} : { configPath });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Exit code of a second signal, which ends the drain at once: 128 + the signal number, as shells report it. */
const SECOND_SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** What a start-up failure message may name; filled once the configuration is loaded. */
let startupContext: StartupContext = {};

async function serve(loaded: LoadedConfig, logger: Logger): Promise<void> {
  const service = await startService({ config: loaded.config, logger });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(SECOND_SIGNAL_EXIT[signal] ?? 1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    service.stop().then(
      () => {
        logger.info('stopped');
        logger.flush(() => process.exit(0));
      },
      (err: unknown) => {
        logger.error({ err: { message: asError(err).message } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function runMigrate(loaded: LoadedConfig, logger: Logger): Promise<void> {
  const db = await openDatabase(loaded.config, logger);
  try {
    const result = await migrate(db);
    process.stdout.write(`migrations: ${result.applied.length} applied, ${result.total} known (${db.kind})\n`);
  } finally {
    await db.close();
  }
}

function checkConfig(loaded: LoadedConfig): void {
  const { config, file } = loaded;
  const store = config.database.url ? 'postgresql (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir}`;
  const targets = buildCatalog(config).list();
  const enabled = targets.filter((t) => t.enabled).length;
  process.stdout.write(
    `config ok: ${file ?? 'no config file (defaults + environment)'}; listen ${config.server.host}:${config.server.port}; store ${store}; ` +
      `${enabled ? `${enabled} publishing target(s) enabled` : 'metrics-only (no publishing target)'}\n`,
  );
}

/** `replay` parses its own flags (--filter, --since, ...): compose/replay-cli.ts. */
async function replay(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) return void process.stdout.write(`${REPLAY_USAGE}\n`);
  process.exitCode = await replayCommand(process.argv.slice(3));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'replay') return replay();
  const { values, positionals } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (command === 'version')
    return void process.stdout.write(values.verbose ? `${VERSION} node ${process.versions.node} ${process.execPath}\n` : `${VERSION}\n`);
  const loaded = load(values.config);
  const { server, database } = loaded.config;
  startupContext = { host: server.host, port: server.port, dataDir: database.dataDir, databaseUrl: database.url };
  if (command === 'check-config') return checkConfig(loaded);
  const logger = createLogger({ level: loaded.config.log.level });
  if (command === 'serve') return serve(loaded, logger);
  if (command === 'migrate') return runMigrate(loaded, logger);
  process.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
  process.exit(2);
}

// import-legacy parses its own options and prints its own errors (src/legacy/command.ts); it exits
// at once when done (stdout and stderr are synchronous for files and pipes on Linux and macOS).
const run = process.argv[2] === 'import-legacy' ? importLegacyCommand(process.argv.slice(3)).then((code) => process.exit(code)) : main();

run.catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`alert-history: ${describeStartupError(err, startupContext)}\n`);
  process.exit(1);
});
