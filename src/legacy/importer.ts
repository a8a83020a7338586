// The import loop: for each phase of the shape, read a keyset page of the source, map its rows,
// and write them with the checkpoint in one transaction (src/store/legacy-import.ts). The counts
// live in the checkpoint, so a run stopped anywhere (SIGINT between batches, a kill inside one)
// continues from its last commit and ends with the totals of an uninterrupted run. A finished
// import run again starts over: every state change is then a duplicate and nothing is added.
import type { NormalizedAlert } from '../core/types.ts';
import { type AlertLimits, limitIssues } from '../ingest/limits.ts';
import type { Db } from '../store/db.ts';
import { type ImportBatch, type ImportedClassification, type ImportWritten, loadCheckpoint, saveCheckpoint, writeImportBatch } from '../store/legacy-import.ts';
import type { ClassificationMapping } from './map-classifications.ts';
import type { EventMapping, SourceRow } from './map-events.ts';
import type { Progress } from './progress.ts';
import { countsFrom, emptyCounts, type ImportCounts, type ImportReport, type RunStatus, tally } from './report.ts';
import type { Phase, Shape } from './shapes.ts';
import type { LegacySource } from './source.ts';

/** Options of {@link runImport}. */
export interface ImportOptions {
  source: LegacySource;
  shape: Shape;
  phases: Phase[];
  /** Where to write; absent for a dry run. */
  target?: Db | undefined;
  batchSize: number;
  /** Stop after reading this many rows in this run (at a batch boundary). */
  maxRows?: number | undefined;
  progress: Progress;
  /** Checked between batches (SIGINT). */
  shouldStop: () => boolean;
  /** The webhook's size limits (config `webhook`): an alert the webhook would refuse is skipped as `too_large`. */
  limits?: AlertLimits | undefined;
  now?: () => number;
}

/** A mapped page: what to write and what it adds to the counts besides what the write reports. */
interface Mapped {
  batch: ImportBatch;
  /** State changes and classifications offered to the write (after dropping repeats within the page). */
  offered: { events: number; classifications: number };
  apply: (counts: ImportCounts) => void;
}

const eventKey = (e: NormalizedAlert): string => `${e.fingerprint}\u0000${e.status}\u0000${e.startsAt}`;

/** True when the webhook would refuse the alert for its label or annotation sizes. */
const tooLarge = (e: NormalizedAlert, limits: AlertLimits | undefined): boolean =>
  limits !== undefined && limitIssues('array', [{ labels: e.labels, annotations: e.annotations }], limits).length > 0;

/** A row's mapping, with an alert the webhook would refuse for its size skipped as `too_large`. */
function mapRow(phase: Phase, row: SourceRow, limits: AlertLimits | undefined): EventMapping | ClassificationMapping {
  const m = phase.map(row);
  return 'events' in m && tooLarge(m.events[0]!, limits) ? { skip: 'too_large' } : m;
}

function mapPage(phase: Phase, rows: readonly SourceRow[], o: Pick<ImportOptions, 'shape' | 'limits'>): Mapped {
  const events = new Map<string, NormalizedAlert>();
  const classifications = new Map<string, ImportedClassification>();
  const mappings = new Map<string, { legacyFingerprint: string; fingerprint: string }>();
  const skipped: string[] = [];
  const degraded: string[] = [];
  let repeats = 0;
  for (const row of rows) {
    const m = mapRow(phase, row, o.limits);
    if ('skip' in m) {
      skipped.push(m.skip);
      continue;
    }
    degraded.push(...m.degraded);
    if ('classification' in m) {
      const key = `${m.classification.fingerprint}\u0000${m.classification.createdAt}`;
      if (classifications.has(key)) repeats++;
      else classifications.set(key, m.classification);
      continue;
    }
    for (const e of m.events) {
      if (events.has(eventKey(e))) repeats++;
      else events.set(eventKey(e), e);
    }
    if (m.legacyFingerprint)
      mappings.set(`${m.legacyFingerprint}\u0000${m.events[0]!.fingerprint}`, {
        legacyFingerprint: m.legacyFingerprint,
        fingerprint: m.events[0]!.fingerprint,
      });
  }
  const kind = phase.name;
  return {
    batch: { events: [...events.values()], classifications: [...classifications.values()], mappings: [...mappings.values()], shape: o.shape.name },
    offered: { events: events.size, classifications: classifications.size },
    apply(counts) {
      counts.read[kind] += rows.length;
      counts.duplicates[kind] += repeats;
      for (const s of skipped) tally(counts.skipped, s);
      for (const d of degraded) tally(counts.degraded, d);
    },
  };
}

/** The counts after a page and its write. */
function after(counts: ImportCounts, mapped: Mapped, written: ImportWritten): ImportCounts {
  const next = structuredClone(counts);
  mapped.apply(next);
  next.imported.events += written.events;
  next.imported.classifications += written.classifications;
  next.imported.fingerprintMappings += written.mappings;
  next.duplicates.events += mapped.offered.events - written.events;
  next.duplicates.classifications += mapped.offered.classifications - written.classifications;
  return next;
}

/** A dry run "writes" everything it mapped. */
const dryWritten = (m: Mapped): ImportWritten => ({ events: m.offered.events, classifications: m.offered.classifications, mappings: m.batch.mappings.length });

interface State {
  counts: ImportCounts;
  phase: number;
  cursor: string | null;
  resumed: boolean;
  readThisRun: number;
  /** The next page, read while the current one is written (same phase, cursor and limit only). */
  ahead?: { phase: number; cursor: string; limit: number; rows: Promise<SourceRow[]> } | undefined;
}

async function startState(o: ImportOptions): Promise<State> {
  const fresh: State = { counts: emptyCounts(), phase: 0, cursor: null, resumed: false, readThisRun: 0 };
  if (!o.target) return fresh;
  const saved = await loadCheckpoint(o.target, o.source.display, o.shape.name);
  const phase = saved ? o.phases.findIndex((p) => p.name === saved.phase) : -1;
  if (saved && !saved.finished && phase >= 0) return { counts: countsFrom(saved.counts), phase, cursor: saved.cursor, resumed: true, readThisRun: 0 };
  await saveCheckpoint(o.target, {
    source: o.source.display,
    shape: o.shape.name,
    phase: o.phases[0]?.name ?? 'done',
    cursor: null,
    counts: fresh.counts,
    finished: false,
  });
  return fresh;
}

function readPage(o: ImportOptions, phase: Phase, cursor: string | null, limit: number): Promise<SourceRow[]> {
  if (cursor === null) return o.source.rows(phase.firstSql, [limit]);
  return o.source.rows(phase.nextSql, [phase.numericKey ? Number(cursor) : cursor, limit]);
}

/** The page at the state's cursor: the one read ahead when it is that page, else read now. */
function pageAt(o: ImportOptions, s: State, limit: number): Promise<SourceRow[]> {
  const ahead = s.ahead;
  s.ahead = undefined;
  if (ahead && ahead.phase === s.phase && ahead.cursor === s.cursor && ahead.limit === limit) return ahead.rows;
  ahead?.rows.catch(() => undefined);
  return readPage(o, o.phases[s.phase]!, s.cursor, limit);
}

/** The page limit once `read` rows were read this run. */
const limitAfter = (o: ImportOptions, read: number): number => Math.min(o.batchSize, (o.maxRows ?? Infinity) - read);

/** Starts reading the page after `cursor` (a failure surfaces when the page is used). */
function readAhead(o: ImportOptions, s: State, cursor: string, read: number): void {
  const limit = limitAfter(o, read);
  if (limit <= 0) return;
  const rows = readPage(o, o.phases[s.phase]!, cursor, limit);
  rows.catch(() => undefined);
  s.ahead = { phase: s.phase, cursor, limit, rows };
}

/** One page of the current phase; false at the phase's end. */
async function step(o: ImportOptions, s: State, limit: number): Promise<boolean> {
  const phase = o.phases[s.phase]!;
  const rows = await pageAt(o, s, limit);
  if (rows.length === 0) return false;
  const mapped = mapPage(phase, rows, o);
  const cursor = phase.key(rows[rows.length - 1]!);
  let counts = s.counts;
  if (o.target) {
    const writing = writeImportBatch(o.target, mapped.batch, (written) => {
      counts = after(s.counts, mapped, written);
      return { source: o.source.display, shape: o.shape.name, phase: phase.name, cursor, counts, finished: false };
    });
    if (rows.length === limit) readAhead(o, s, cursor, s.readThisRun + rows.length);
    await writing;
  } else counts = after(s.counts, mapped, dryWritten(mapped));
  s.counts = counts;
  s.cursor = cursor;
  s.readThisRun += rows.length;
  o.progress.update(s.counts.read.events + s.counts.read.classifications);
  return rows.length === limit;
}

/** Moves to the next phase (saved, so a resume does not read the finished one again). */
async function nextPhase(o: ImportOptions, s: State): Promise<void> {
  s.phase++;
  s.cursor = null;
  const name = o.phases[s.phase]?.name ?? 'done';
  if (o.target)
    await saveCheckpoint(o.target, { source: o.source.display, shape: o.shape.name, phase: name, cursor: null, counts: s.counts, finished: name === 'done' });
}

async function loop(o: ImportOptions, s: State): Promise<RunStatus> {
  while (s.phase < o.phases.length) {
    if (o.shouldStop()) return 'interrupted';
    const limit = limitAfter(o, s.readThisRun);
    if (limit <= 0) return 'stopped';
    if (!(await step(o, s, limit))) await nextPhase(o, s);
  }
  return 'completed';
}

/** Runs (or resumes) an import and reports its totals. */
export async function runImport(o: ImportOptions): Promise<ImportReport> {
  const now = o.now ?? Date.now;
  const started = now();
  const state = await startState(o);
  const status = await loop(o, state);
  o.progress.done();
  const seconds = Math.max(0.001, (now() - started) / 1000);
  return {
    source: o.source.display,
    shape: o.shape.name,
    dryRun: !o.target,
    status,
    resumed: state.resumed,
    counts: state.counts,
    readThisRun: state.readThisRun,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(state.readThisRun / seconds),
  };
}
