// The enrichment mode, shared by replicas and kept across restarts: Redis key `enrichment:mode`
// holding {"mode": ...} with no expiry (the legacy service lost it after an hour), or the
// `settings` table without Redis. Unset, it is ENRICHMENT_MODE, else `enriched`.
import { z } from 'zod';
import { ENRICHMENT_MODES, type EnrichmentMode, type ModeState, type ModeStore } from '../core/enrichment.ts';
import type { Sql } from './db.ts';
import type { SqlRow } from './rows.ts';
import type { settings } from './schema.ts';

/** The Redis key of the mode. */
export const MODE_KEY = 'enrichment:mode';
const SETTINGS_KEY = 'enrichment_mode';

/** The Redis commands the store needs (an ioredis client fits). */
export interface RedisModeCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/** The mode when nothing was stored. */
export function initialMode(fromEnv: EnrichmentMode | undefined): ModeState {
  return fromEnv ? { mode: fromEnv, source: 'env' } : { mode: 'enriched', source: 'default' };
}

/**
 * The stored value, in Redis and in settings.value. One that does not parse (another version's,
 * or edited by hand) reads as unset: the mode falls back to ENRICHMENT_MODE or the default, as
 * it always has, rather than failing every request that asks for the mode.
 */
const storedMode = z.object({ mode: z.enum(ENRICHMENT_MODES) });

const modeOf = (value: unknown): EnrichmentMode | undefined => storedMode.safeParse(value).data?.mode;

function parseStored(text: string | null): EnrichmentMode | undefined {
  if (text === null) return undefined;
  try {
    return modeOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Redis-backed store. When Redis fails, reads answer the last mode this replica knew (source
 * `memory`) and writes fail, so a switch is never silently kept on one replica only.
 */
export function createRedisModeStore(redis: RedisModeCommands, fromEnv?: EnrichmentMode): ModeStore {
  let last = initialMode(fromEnv);
  return {
    async get() {
      try {
        const stored = parseStored(await redis.get(MODE_KEY));
        last = stored ? { mode: stored, source: 'redis' } : initialMode(fromEnv);
        return last;
      } catch {
        return { mode: last.mode, source: 'memory' };
      }
    },
    async set(mode) {
      await redis.set(MODE_KEY, JSON.stringify({ mode }));
      last = { mode, source: 'redis' };
      return last;
    },
  };
}

/** Database-backed store (the `settings` table). */
export function createSqlModeStore(db: Sql, fromEnv?: EnrichmentMode): ModeStore {
  return {
    async get() {
      const [row] = await db.query<Pick<SqlRow<typeof settings>, 'value'>>('SELECT value FROM settings WHERE key = $1', [SETTINGS_KEY]);
      const mode = modeOf(row?.value);
      return mode ? { mode, source: 'database' } : initialMode(fromEnv);
    },
    async set(mode) {
      await db.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [SETTINGS_KEY, JSON.stringify({ mode })],
      );
      return { mode, source: 'database' };
    },
  };
}
