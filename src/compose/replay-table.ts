// The CLI's readable form of a replay report: a header, the totals, the replayed rule's reasons,
// then one table per UTC day and per alertname (sent, suppressed, and the change against now).
import type { ReplayBucket, ReplayReport } from '../core/replay.ts';

const COLUMNS = ['events', 'sent', 'suppressed', 'now sent', 'newly sent', 'newly suppressed'];

function cells(b: ReplayBucket): string[] {
  return [b.events, b.sent, b.suppressed, b.current_sent, b.newly_sent, b.newly_suppressed].map((n) => n.toLocaleString('en-US'));
}

/** Aligns rows into columns: the first left-aligned, the rest right-aligned. */
export function alignRows(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function table(title: string, rows: [string, ReplayBucket][]): string[] {
  if (rows.length === 0) return [];
  return ['', ...alignRows([[title, ...COLUMNS], ...rows.map(([name, b]): string[] => [name, ...cells(b)])])];
}

/** The report as text for a terminal. */
export function renderReplay(r: ReplayReport): string {
  const t = r.totals;
  const lines = [
    `replayed:      ${r.replayed}`,
    `compared with: ${r.compared_with} (mode ${r.mode})`,
    `window:        ${r.window.since} .. ${r.window.until}`,
    `events ${t.events}: sent ${t.sent}, suppressed ${t.suppressed}; now sent ${t.current_sent}: ${t.newly_sent} newly sent, ${t.newly_suppressed} newly suppressed`,
    ...(t.reasons.length ? ['', 'suppressed because:', ...t.reasons.map((x) => `  ${String(x.count).padStart(8)}  ${x.reason}`)] : []),
    ...table(
      'day (UTC)',
      r.by_day.map((b) => [b.day, b]),
    ),
    ...table(
      'alertname',
      r.by_alertname.map((b) => [b.alertname || '(none)', b]),
    ),
    ...(r.alertnames_truncated ? [`(only the ${r.by_alertname.length} alertnames with the most events are listed)`] : []),
    '',
    `${t.events.toLocaleString('en-US')} events in ${r.elapsed_ms} ms`,
  ];
  return `${lines.join('\n')}\n`;
}
