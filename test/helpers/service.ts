// Starts the real service in-process on a free port over a given database, with a config built
// by the real loader (defaults + overrides), and a log capture for secrecy assertions.
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/loader.ts';
import type { Config } from '../../src/config/schema.ts';
import { startService, type Service } from '../../src/main.ts';
import { REDACT_PATHS } from '../../src/observability/logger.ts';
import type { Db } from '../../src/store/db.ts';

/** A running test service. */
export interface TestService extends Service {
  config: Config;
  logs: string[];
  post(path: string, body: string | Buffer | object, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

/** Options of {@link startTestService}. */
export interface TestServiceOptions {
  /** config.yaml text (for sections env cannot set, such as publishing targets). */
  configYaml?: string;
}

/** Starts the service; `env` uses the same variable names as production. */
export async function startTestService(db: Db, env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  let configPath: string | undefined;
  if (options.configYaml !== undefined) {
    configPath = join(mkdtempSync(join(tmpdir(), 'ah-config-')), 'config.yaml');
    writeFileSync(configPath, options.configYaml);
  }
  const { config } = loadConfig({
    env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', LOG_LEVEL: 'info', LOG_REQUESTS: 'all', ...env },
    cwd: tmpdir(),
    configPath,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: config.log.level, redact: { paths: REDACT_PATHS, censor: '***' } }, sink);
  const service = await startService({ config, logger, db });
  const post = (path: string, body: string | Buffer | object, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${service.url}${path}`, { headers });
  return { ...service, config, logs, post, get };
}
