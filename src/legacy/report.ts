// What an import counted (kept in the checkpoint, so a resumed run ends with the totals of an
// uninterrupted one) and the report printed at the end: text for people, `--json` for machines.
import { isRecord } from '../core/guards.ts';

/** Per-kind counters. */
export interface Pair {
  events: number;
  classifications: number;
}

/** Totals of an import, across resumed runs. */
export interface ImportCounts {
  /** Source rows read. */
  read: Pair;
  /** State changes and classifications stored, and old fingerprints mapped. */
  imported: Pair & { fingerprintMappings: number };
  /** Already stored (a previous run, or the same state change twice in the source). */
  duplicates: Pair;
  /** Rows not imported, by reason. */
  skipped: Record<string, number>;
  /** Rows imported without a part they had, by reason. */
  degraded: Record<string, number>;
}

/** Zero counts. */
export function emptyCounts(): ImportCounts {
  return {
    read: { events: 0, classifications: 0 },
    imported: { events: 0, classifications: 0, fingerprintMappings: 0 },
    duplicates: { events: 0, classifications: 0 },
    skipped: {},
    degraded: {},
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function pairOf(v: unknown): Pair {
  const r = isRecord(v) ? v : {};
  return { events: num(r.events), classifications: num(r.classifications) };
}

function tallyOf(v: unknown): Record<string, number> {
  return isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, n]) => [k, num(n)])) : {};
}

/** Counts read back from a checkpoint (whatever does not fit counts as zero). */
export function countsFrom(stored: unknown): ImportCounts {
  const r = isRecord(stored) ? stored : {};
  const imported = isRecord(r.imported) ? r.imported : {};
  return {
    read: pairOf(r.read),
    imported: { ...pairOf(r.imported), fingerprintMappings: num(imported.fingerprintMappings) },
    duplicates: pairOf(r.duplicates),
    skipped: tallyOf(r.skipped),
    degraded: tallyOf(r.degraded),
  };
}

/** Adds one to `reason` in a tally. */
export function tally(into: Record<string, number>, reason: string): void {
  into[reason] = (into[reason] ?? 0) + 1;
}

/** How a run ended. */
export type RunStatus = 'completed' | 'interrupted' | 'stopped';

/** The final report. */
export interface ImportReport {
  source: string;
  shape: string;
  dryRun: boolean;
  status: RunStatus;
  /** True when this run continued an interrupted one (its counts include the earlier runs'). */
  resumed: boolean;
  counts: ImportCounts;
  /** Source rows this run read, its time and rate. */
  readThisRun: number;
  seconds: number;
  rowsPerSecond: number;
}

const sumOf = (t: Record<string, number>): number => Object.values(t).reduce((a, b) => a + b, 0);

/** The report for `--json` (snake_case, as the API's envelopes). */
export function reportJson(r: ImportReport): Record<string, unknown> {
  const c = r.counts;
  return {
    source: r.source,
    shape: r.shape,
    dry_run: r.dryRun,
    status: r.status,
    resumed: r.resumed,
    read: { events: c.read.events, classifications: c.read.classifications, total: c.read.events + c.read.classifications },
    imported: { events: c.imported.events, classifications: c.imported.classifications, fingerprint_mappings: c.imported.fingerprintMappings },
    duplicates: c.duplicates,
    skipped: { total: sumOf(c.skipped), reasons: c.skipped },
    degraded: { total: sumOf(c.degraded), reasons: c.degraded },
    read_this_run: r.readThisRun,
    seconds: r.seconds,
    rows_per_second: r.rowsPerSecond,
  };
}

const reasons = (t: Record<string, number>): string =>
  Object.entries(t)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

const ENDINGS: Record<RunStatus, string> = {
  completed: 'completed',
  interrupted: 'interrupted: run the same command again to continue where it stopped',
  stopped: 'stopped at --max-rows: run the same command again to continue where it stopped',
};

/** The report as lines for people. */
export function reportText(r: ImportReport): string {
  const c = r.counts;
  const verb = r.dryRun ? 'would import (dry run, nothing written; duplicates not checked)' : 'imported';
  const lines = [
    `import-legacy ${ENDINGS[r.status]}${r.resumed ? ' (resumed; totals include the earlier runs)' : ''}`,
    `  source:     ${r.source} (shape ${r.shape})`,
    `  read:       ${c.read.events} alert rows, ${c.read.classifications} classification rows`,
    `  ${`${verb}:`.padEnd(11)} ${c.imported.events} events, ${c.imported.classifications} classifications, ${c.imported.fingerprintMappings} old fingerprints mapped`,
  ];
  if (!r.dryRun) lines.push(`  duplicates: ${c.duplicates.events} events, ${c.duplicates.classifications} classifications (already stored)`);
  lines.push(`  skipped:    ${sumOf(c.skipped)}${sumOf(c.skipped) ? ` (${reasons(c.skipped)})` : ''}`);
  if (sumOf(c.degraded)) lines.push(`  imported without a part: ${sumOf(c.degraded)} (${reasons(c.degraded)})`);
  lines.push(`  time:       ${r.seconds} s for ${r.readThisRun} rows this run (${r.rowsPerSecond} rows/s)`);
  return `${lines.join('\n')}\n`;
}
