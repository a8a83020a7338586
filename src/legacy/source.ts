// Where a legacy import reads from: a SQLite file (node:sqlite, read-only) or a PostgreSQL
// database (pg), named by `--from`. The URL's password never leaves this file in text: `display`
// is the masked form (the checkpoint's key and what output shows), `redact` masks it anywhere.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import pg from 'pg';
import { createRedactor } from '../core/secret.ts';
import type { SourceRow } from './map-events.ts';
import type { Cell } from './values.ts';

/** Tables and their columns, as the source declares them. */
export type Catalog = Map<string, Set<string>>;

/** An open legacy store. */
export interface LegacySource {
  readonly kind: 'sqlite' | 'postgres';
  /** The source with its password masked: shown in output and the checkpoint's key. */
  readonly display: string;
  catalog(): Promise<Catalog>;
  /** Runs a query (`?` placeholders on SQLite, `$n` on PostgreSQL). */
  rows(sql: string, params: readonly (string | number)[]): Promise<SourceRow[]>;
  close(): Promise<void>;
}

/** A `--from` value that cannot name a source (exit 2). */
export class SourceUsageError extends Error {}

/** What `--from` names, before anything is opened. */
export interface SourceRef {
  kind: 'sqlite' | 'postgres';
  /** The file path, or the connection URL (secret). */
  target: string;
  display: string;
  /** Masks the URL's password (and the URL) in any text. */
  redact: (text: string) => string;
}

function postgresRef(url: string): SourceRef {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceUsageError('--from: not a valid postgres:// URL');
  }
  const password = decodeURIComponent(parsed.password);
  const queryPassword = parsed.searchParams.get('password') ?? '';
  const user = parsed.username ? `${parsed.username}${password ? ':***' : ''}@` : '';
  const display = `postgres://${user}${parsed.host}${parsed.pathname}`;
  // Only the password is secret (the user, host and database name are shown, as in `display`).
  const secrets = [password, parsed.password, queryPassword].filter((s) => s !== '');
  return { kind: 'postgres', target: url, display, redact: createRedactor(secrets) };
}

function sqliteRef(path: string): SourceRef {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new SourceUsageError(`--from: no such file ${absolute}`);
  if (!statSync(absolute).isFile()) throw new SourceUsageError(`--from: ${absolute} is not a file`);
  return { kind: 'sqlite', target: absolute, display: `sqlite://${absolute}`, redact: (t) => t };
}

/** Parses `--from`: `sqlite:///abs/path.db`, a plain file path, or `postgres://user:pass@host/db`. */
export function parseSourceRef(from: string): SourceRef {
  if (/^postgres(ql)?:\/\//i.test(from)) return postgresRef(from);
  if (/^sqlite:\/\//i.test(from)) {
    const path = decodeURIComponent(from.replace(/^sqlite:\/\//i, ''));
    if (!path.startsWith('/')) throw new SourceUsageError('--from: a sqlite:// URL needs an absolute path (sqlite:///abs/path.db)');
    return sqliteRef(path);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) throw new SourceUsageError(`--from: unsupported scheme ${from.split(':')[0]}: (sqlite:// or postgres://)`);
  return sqliteRef(from);
}

function openSqlite(ref: SourceRef): LegacySource {
  const db = new DatabaseSync(ref.target, { readOnly: true });
  // Integers as bigint: an absurd Unix-ms time would otherwise throw instead of being skipped.
  const rows = (sql: string, params: readonly SQLInputValue[]): SourceRow[] => {
    const statement = db.prepare(sql);
    statement.setReadBigInts(true);
    return statement.all(...params);
  };
  return {
    kind: 'sqlite',
    display: ref.display,
    catalog() {
      const catalog: Catalog = new Map();
      for (const t of rows("SELECT name FROM sqlite_master WHERE type = 'table'", [])) {
        const name = String(t.name);
        const columns = rows('SELECT name FROM pragma_table_info(?)', [name]).map((c) => String(c.name));
        catalog.set(name, new Set(columns));
      }
      return Promise.resolve(catalog);
    },
    rows: (sql, params) => Promise.resolve(rows(sql, params)),
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

async function openPostgresSource(ref: SourceRef): Promise<LegacySource> {
  const client = new pg.Client({ connectionString: ref.target, connectionTimeoutMillis: 10_000, application_name: 'alert-history-import-legacy' });
  client.on('error', () => undefined);
  await client.connect();
  // A read-only session: the import never writes to the old store.
  await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  return {
    kind: 'postgres',
    display: ref.display,
    async catalog() {
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
      );
      const catalog: Catalog = new Map();
      for (const r of rows) catalog.set(r.table_name, (catalog.get(r.table_name) ?? new Set()).add(r.column_name));
      return catalog;
    },
    async rows(sql, params) {
      const result = await client.query<Record<string, Cell>>(sql, [...params]);
      return result.rows;
    },
    close: () => client.end(),
  };
}

/** Opens the source read-only. */
export async function openSource(ref: SourceRef): Promise<LegacySource> {
  return ref.kind === 'sqlite' ? openSqlite(ref) : openPostgresSource(ref);
}
