// One part of the bench run alone (`node test/bench/<part>.ts`): a PostgreSQL database of its
// own, progress on stderr, the part's rows as table lines on stdout, exit 1 on failure.
import { createDatabase, dropDatabase, findPostgres } from '../helpers/postgres.ts';
import { type Row, tableLines } from './report.ts';

/** Progress lines of the bench, on stderr. */
export const benchLog = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

/** Runs `rows` against a fresh database `alert_history_bench_<name>` and prints them. */
export function runPartAlone(name: string, rows: (databaseUrl: string, log: (msg: string) => void) => Promise<Row[]>): void {
  const run = async (): Promise<void> => {
    const server = await findPostgres();
    if (typeof server === 'string') throw new Error(`the ${name} bench needs PostgreSQL: ${server}`);
    const database = `alert_history_bench_${name}`;
    try {
      process.stdout.write(`${tableLines(await rows(await createDatabase(server.adminUrl, database), benchLog))}\n`);
    } finally {
      await dropDatabase(server.adminUrl, database).catch(() => undefined);
      await server.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
