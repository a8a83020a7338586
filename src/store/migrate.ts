// Applies the drizzle-kit SQL migrations in ./migrations, in one transaction under an advisory
// lock, so replicas starting together migrate once. The bookkeeping table is drizzle's own
// (drizzle.__drizzle_migrations), so `drizzle-kit migrate` and this agree on what ran.
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Db, LOCKS } from './db.ts';

/** The folder holding the generated migrations (copied beside the build output). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** What {@link migrate} did. */
export interface MigrateResult {
  applied: string[];
  total: number;
}

/** Brings the schema up to date; safe to call from many processes at once. */
export async function migrate(db: Db, folder: string = MIGRATIONS_FOLDER): Promise<MigrateResult> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.migrate]);
    await tx.query('CREATE SCHEMA IF NOT EXISTS drizzle');
    await tx.query('CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)');
    const [last] = await tx.query<{ created_at: number }>('SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1');
    const applied: string[] = [];
    for (const migration of migrations) {
      if (last && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.query(statement);
      }
      await tx.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [migration.hash, migration.folderMillis]);
      applied.push(migration.hash.slice(0, 12));
    }
    return { applied, total: migrations.length };
  });
}
