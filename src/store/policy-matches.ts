// Per-policy match counters on the SQL port: each webhook adds its matches in one upsert, so
// every replica counts into the same rows; keys are sorted so concurrent upserts lock rows in
// the same order and cannot deadlock.
import type { PolicyMatches, PolicyMatchStore } from '../core/enrichment.ts';
import { pgTimestampToIso } from '../core/time.ts';
import type { Sql } from './db.ts';
import type { SqlRow } from './rows.ts';
import type { policyMatches } from './schema.ts';

const RECORD_SQL = `
INSERT INTO policy_matches AS p (policy, matched, last_match_at)
SELECT x.policy, x.n, now() FROM unnest($1::text[], $2::bigint[]) AS x(policy, n) ORDER BY x.policy
ON CONFLICT (policy) DO UPDATE SET matched = p.matched + excluded.matched, last_match_at = greatest(p.last_match_at, excluded.last_match_at)`;

/** Creates the counters over an open, migrated database. */
export function createPolicyMatchStore(db: Sql): PolicyMatchStore {
  return {
    async record(policies) {
      if (policies.length === 0) return;
      const counts = new Map<string, number>();
      for (const p of policies) counts.set(p, (counts.get(p) ?? 0) + 1);
      const keys = [...counts.keys()].sort();
      await db.query(RECORD_SQL, [keys, keys.map((k) => counts.get(k))], 'policy_matches_record');
    },
    async totals(): Promise<PolicyMatches[]> {
      const rows = await db.query<SqlRow<typeof policyMatches>>('SELECT policy, matched, last_match_at FROM policy_matches ORDER BY policy');
      return rows.map((r) => ({ policy: r.policy, matched: r.matched, lastMatchAt: pgTimestampToIso(r.last_match_at) }));
    },
  };
}
