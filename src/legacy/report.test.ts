import { describe, expect, it } from 'vitest';
import { createProgress, progressText } from './progress.ts';
import { countsFrom, emptyCounts, type ImportReport, reportJson, reportText, tally } from './report.ts';

function report(overrides: Partial<ImportReport> = {}): ImportReport {
  const counts = emptyCounts();
  counts.read = { events: 13, classifications: 2 };
  counts.imported = { events: 6, classifications: 1, fingerprintMappings: 2 };
  counts.duplicates = { events: 1, classifications: 0 };
  tally(counts.skipped, 'bad_timestamp');
  tally(counts.skipped, 'bad_timestamp');
  tally(counts.skipped, 'bad_labels_json');
  tally(counts.degraded, 'bad_raw_json');
  return {
    source: 'sqlite:///x.db',
    shape: 'original-sqlite',
    dryRun: false,
    status: 'completed',
    resumed: false,
    counts,
    readThisRun: 15,
    seconds: 0.5,
    rowsPerSecond: 30,
    ...overrides,
  };
}

describe('import report', () => {
  it('counts survive the checkpoint: what is stored is read back the same, anything else as zero', () => {
    const r = report();
    expect(countsFrom(JSON.parse(JSON.stringify(r.counts)))).toEqual(r.counts);
    expect(countsFrom({ read: { events: 'x' }, skipped: { a: 2, b: null } })).toEqual({ ...emptyCounts(), skipped: { a: 2, b: 0 } });
    expect(countsFrom(null)).toEqual(emptyCounts());
  });

  it('--json: read, imported, duplicates, skipped and degraded with their reasons, time and rate', () => {
    expect(reportJson(report())).toEqual({
      source: 'sqlite:///x.db',
      shape: 'original-sqlite',
      dry_run: false,
      status: 'completed',
      resumed: false,
      read: { events: 13, classifications: 2, total: 15 },
      imported: { events: 6, classifications: 1, fingerprint_mappings: 2 },
      duplicates: { events: 1, classifications: 0 },
      skipped: { total: 3, reasons: { bad_timestamp: 2, bad_labels_json: 1 } },
      degraded: { total: 1, reasons: { bad_raw_json: 1 } },
      read_this_run: 15,
      seconds: 0.5,
      rows_per_second: 30,
    });
  });

  it('text: says how it ended and what to do next', () => {
    const text = reportText(report());
    expect(text).toContain('import-legacy completed\n');
    expect(text).toContain('skipped:    3 (bad_timestamp 2, bad_labels_json 1)');
    expect(reportText(report({ status: 'interrupted', resumed: true }))).toMatch(
      /^import-legacy interrupted: run the same command again .* \(resumed; totals include the earlier runs\)/,
    );
    const dry = reportText(report({ dryRun: true }));
    expect(dry).toContain('would import (dry run, nothing written; duplicates not checked): 6 events');
    expect(dry).not.toContain('duplicates: ');
  });
});

describe('import progress', () => {
  it('rows read / total, rate and ETA', () => {
    expect(progressText(1_000, 5_000, 2_000)).toBe('1000/5000 rows (20 %), 500 rows/s, ETA 8 s');
    expect(progressText(1_000, 500_000, 1_000)).toBe('1000/500000 rows (0 %), 1000 rows/s, ETA 9 min');
    expect(progressText(0, 10, 0)).toBe('0/10 rows (0 %), 0 rows/s, ETA ?');
  });

  it('off a terminal: a line at most every interval; on a terminal: one line rewritten in place', () => {
    let t = 0;
    const lines: string[] = [];
    const log = createProgress({ total: 100, tty: false, everyMs: 5_000, write: (s) => lines.push(s), now: () => t });
    t = 1_000;
    log.update(10);
    t = 5_000;
    log.update(50);
    log.done();
    expect(lines).toEqual(['import-legacy: 50/100 rows (50 %), 10 rows/s, ETA 5 s\n']);
    const out: string[] = [];
    const tty = createProgress({ total: 100, tty: true, everyMs: 5_000, write: (s) => out.push(s), now: () => t });
    t += 300;
    tty.update(30);
    tty.done();
    expect(out).toEqual(['\r\u001b[Kimport-legacy: 30/100 rows (30 %), 100 rows/s, ETA 1 s', '\n']);
  });
});
