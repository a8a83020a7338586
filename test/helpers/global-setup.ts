// Integration tier setup: a real PostgreSQL (found or started), a real Redis, and a migrated PGlite
// snapshot. Under CI=true a missing PostgreSQL or Redis fails the run; elsewhere the PostgreSQL half is skipped with
// one line saying how to get it.
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, findPostgres, type PostgresServer } from './postgres.ts';
import { findRedis } from './redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database for this run, or '' when PostgreSQL is unavailable. */
    postgresUrl: string;
    /** Admin URL of the server (for per-file databases). */
    postgresAdminUrl: string;
    postgresSkipReason: string;
    /** URL of a Redis database for this run, or '' when Redis is unavailable. */
    redisUrl: string;
  }
}

let server: PostgresServer | undefined;
let database: string | undefined;

async function setupRedis(project: TestProject): Promise<void> {
  const redis = await findRedis();
  if (typeof redis === 'string') {
    if (process.env.CI === 'true') throw new Error(`CI=true and Redis is required: ${redis}`);
    process.stderr.write(`[integration] skipping the Redis tests: ${redis}\n`);
    project.provide('redisUrl', '');
    return;
  }
  process.stderr.write(`[integration] Redis: ${redis.url}\n`);
  project.provide('redisUrl', redis.url);
}

export async function setup(project: TestProject): Promise<void> {
  await setupRedis(project);
  const found = await findPostgres();
  if (typeof found === 'string') {
    if (process.env.CI === 'true') throw new Error(`CI=true and PostgreSQL is required: ${found}`);
    process.stderr.write(`[integration] skipping the PostgreSQL half: ${found}\n`);
    project.provide('postgresUrl', '');
    project.provide('postgresAdminUrl', '');
    project.provide('postgresSkipReason', found);
    return;
  }
  server = found;
  database = `alert_history_test_${process.pid}`;
  const url = await createDatabase(found.adminUrl, database);
  process.stderr.write(`[integration] PostgreSQL: ${found.origin}, database ${database}\n`);
  project.provide('postgresUrl', url);
  project.provide('postgresAdminUrl', found.adminUrl);
  project.provide('postgresSkipReason', '');
}

export async function teardown(): Promise<void> {
  if (server && database) await dropDatabase(server.adminUrl, database).catch(() => undefined);
  await server?.stop();
}
