// Renders docs/benchmarks.md from the measured rows.

/** One budget row. */
export interface Row {
  what: string;
  budget: string;
  value: string;
  ok: boolean;
}

/** What the report needs. */
export interface ReportInput {
  machine: string;
  nodeOptions: string;
  seconds: number;
  rows: Row[];
  date: string;
}

/** The markdown document. */
export function renderReport(input: ReportInput): string {
  const table = input.rows.map((r) => `| ${r.what} | ${r.budget} | ${r.value} | ${r.ok ? 'yes' : '**no**'} |`).join('\n');
  return `# Benchmarks

Latest \`make bench\` run, ${input.date}. Budgets from design.md section 10. Numbers are from one
run on a shared 2-core machine; expect run-to-run noise of about 10 %.

- Machine: ${input.machine}
- Service: the built \`node dist/cli.js serve\` as a child process (\`NODE_OPTIONS=${input.nodeOptions}\` as in
  the Dockerfile, \`LOG_REQUESTS=none\`, pool of 10), PostgreSQL
  on the same host; load from a separate process (autocannon, ${input.seconds} s per run; 50
  connections for the maximum rate, 10 for 100-alert bodies); percentiles of reads from sequential
  requests.
- Reproduce: \`make bench\` (\`BENCH_SECONDS\`, \`BENCH_SEED_ROWS\` override the defaults).

| What | Budget | Measured | Met |
|---|---|---|---|
${table}
`;
}
