// The predecessors' stores (external-formats.md section 10), told apart by their tables and
// columns, and how each is read: phases (events, then classifications), each a keyset-paged query
// over the source's key (never OFFSET), its row count for progress, and its row mapping.
// Optional columns a store lacks are read as NULL.
import { type ClassificationMapping, mapClassificationRow } from './map-classifications.ts';
import { type EventMapping, mapLatestStateRow, mapOriginalRow, mapPythonSqliteRow, type SourceRow } from './map-events.ts';
import type { Catalog, LegacySource } from './source.ts';

/** The shapes import-legacy knows. */
export const SHAPES = ['original-sqlite', 'python-sqlite', 'postgres', 'go-lite'] as const;

/** One of {@link SHAPES}. */
export type ShapeName = (typeof SHAPES)[number];

/** One pass over a source table. */
export interface Phase {
  name: 'events' | 'classifications';
  /** Rows this phase will read (progress, ETA). */
  countSql: string;
  /** The first page: (limit). */
  firstSql: string;
  /** The next page: (cursor, limit). */
  nextSql: string;
  /** The cursor of a row: its key in the source. */
  key: (row: SourceRow) => string;
  /** Integer keys are passed as numbers. */
  numericKey: boolean;
  map: (row: SourceRow) => EventMapping | ClassificationMapping;
}

/** How a shape is recognised and read. */
export interface Shape {
  name: ShapeName;
  kind: 'sqlite' | 'postgres';
  /** Tables and the columns that must be there. */
  requires: Record<string, readonly string[]>;
  phases: (catalog: Catalog) => Phase[];
}

const keyOf = (column: string) => (row: SourceRow) => String(row[column]);

/** `column`, or NULL under its name when the table lacks it. */
function pick(catalog: Catalog, table: string, alias: string) {
  const columns = catalog.get(table) ?? new Set<string>();
  return (column: string, expr = `${alias}.${quote(column)}`): string => (columns.has(column) ? `${expr} AS ${quote(column)}` : `NULL AS ${quote(column)}`);
}

const quote = (name: string): string => `"${name}"`;

/** A PostgreSQL timestamp as RFC 3339 text; years outside 0001..9999 read as unreadable text. */
const pgTime = (column: string): string =>
  `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} < '0001-01-01T00:00:00Z' OR ${column} >= '10000-01-01T00:00:00Z' THEN 'out of range'
        ELSE to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END`;

function paged(select: string, key: string, placeholder: (n: number) => string): { firstSql: string; nextSql: string } {
  return {
    // A NULL key (SQLite allows one even in a TEXT PRIMARY KEY) would sort first and make a cursor
    // that skips rows: such rows are not read.
    firstSql: `${select} WHERE ${key} IS NOT NULL ORDER BY ${key} LIMIT ${placeholder(1)}`,
    nextSql: `${select} WHERE ${key} > ${placeholder(1)} ORDER BY ${key} LIMIT ${placeholder(2)}`,
  };
}

const sqliteParam = (): string => '?';
const pgParam = (n: number): string => `$${n}`;

function originalPhases(catalog: Catalog): Phase[] {
  const c = pick(catalog, 'alert_history', 'h');
  const select = `SELECT h.id AS id, ${['alertname', 'fingerprint', 'status', 'labels', 'startsAt', 'endsAt', 'updatedAt', 'raw_json'].map((n) => c(n)).join(', ')} FROM alert_history h`;
  return [
    {
      name: 'events',
      countSql: 'SELECT count(*) AS n FROM alert_history',
      ...paged(select, 'h.id', sqliteParam),
      key: keyOf('id'),
      numericKey: true,
      map: mapOriginalRow,
    },
  ];
}

function pythonSqlitePhases(catalog: Catalog): Phase[] {
  const a = pick(catalog, 'alerts', 'a');
  const columns = ['fingerprint', 'alertname', 'status', 'labels', 'annotations', 'starts_at', 'ends_at', 'generator_url', 'received_at'];
  const phases: Phase[] = [
    {
      name: 'events',
      countSql: 'SELECT count(*) AS n FROM alerts',
      ...paged(`SELECT a.id AS id, ${columns.map((n) => a(n)).join(', ')} FROM alerts a`, 'a.id', sqliteParam),
      key: keyOf('id'),
      numericKey: true,
      map: mapPythonSqliteRow,
    },
  ];
  if (!catalog.has('alert_classifications')) return phases;
  const k = pick(catalog, 'alert_classifications', 'c');
  const alert = (column: string): string => `(SELECT a.${column} FROM alerts a WHERE a.fingerprint = c.fingerprint ORDER BY a.id DESC LIMIT 1) AS ${column}`;
  const select = `SELECT c.id AS id, ${['severity', 'confidence', 'reasoning', 'recommendations', 'processing_time', 'metadata', 'created_at'].map((n) => k(n)).join(', ')},
    ${alert('labels')}, ${alert('alertname')} FROM alert_classifications c`;
  phases.push({
    name: 'classifications',
    countSql: 'SELECT count(*) AS n FROM alert_classifications',
    ...paged(select, 'c.id', sqliteParam),
    key: keyOf('id'),
    numericKey: true,
    map: mapClassificationRow,
  });
  return phases;
}

function goLitePhases(catalog: Catalog): Phase[] {
  const a = pick(catalog, 'alerts', 'a');
  const columns = ['fingerprint', 'status', 'alert_name', 'labels', 'annotations', 'starts_at', 'ends_at', 'created_at', 'updated_at', 'generator_url'];
  return [
    {
      name: 'events',
      countSql: 'SELECT count(*) AS n FROM alerts',
      ...paged(`SELECT ${columns.map((n) => a(n)).join(', ')} FROM alerts a`, 'a.fingerprint', sqliteParam),
      key: keyOf('fingerprint'),
      numericKey: false,
      map: mapLatestStateRow,
    },
  ];
}

function postgresPhases(catalog: Catalog): Phase[] {
  const a = pick(catalog, 'alerts', 'a');
  const times = ['starts_at', 'ends_at', 'timestamp', 'created_at', 'updated_at'].map((n) => a(n, pgTime(`a.${quote(n)}`)));
  const select = `SELECT a.id::text AS id, ${['fingerprint', 'alert_name', 'status', 'generator_url'].map((n) => a(n)).join(', ')},
    ${a('labels', 'a.labels::text')}, ${a('annotations', 'a.annotations::text')}, ${times.join(', ')} FROM alerts a`;
  const phases: Phase[] = [
    {
      name: 'events',
      countSql: 'SELECT count(*)::int AS n FROM alerts',
      ...paged(select, 'a.id', pgParam),
      key: keyOf('id'),
      numericKey: false,
      map: mapLatestStateRow,
    },
  ];
  if (!catalog.has('alert_classifications')) return phases;
  const k = pick(catalog, 'alert_classifications', 'c');
  const cols = [
    k('severity'),
    k('confidence', 'c.confidence::text'),
    k('reasoning'),
    k('recommendations', 'c.recommendations::text'),
    k('processing_time', 'c.processing_time::text'),
    k('metadata', 'c.metadata::text'),
    k('llm_model'),
    k('llm_version'),
    k('created_at', pgTime('c.created_at')),
  ];
  // The latest classification of each alert; pages by the old fingerprint.
  const latest = (where: string, limit: string): string =>
    `SELECT c.alert_fingerprint AS key, ${cols.join(', ')}, a.labels::text AS labels, a.alert_name AS alertname
     FROM (SELECT DISTINCT ON (alert_fingerprint) * FROM alert_classifications ${where}
           ORDER BY alert_fingerprint, created_at DESC NULLS LAST, id DESC LIMIT ${limit}) c
     LEFT JOIN alerts a ON a.fingerprint = c.alert_fingerprint
     ORDER BY c.alert_fingerprint`;
  phases.push({
    name: 'classifications',
    countSql: 'SELECT count(DISTINCT alert_fingerprint)::int AS n FROM alert_classifications',
    firstSql: latest('WHERE alert_fingerprint IS NOT NULL', '$1'),
    nextSql: latest('WHERE alert_fingerprint > $1', '$2'),
    key: keyOf('key'),
    numericKey: false,
    map: mapClassificationRow,
  });
  return phases;
}

const ALL: Shape[] = [
  {
    name: 'original-sqlite',
    kind: 'sqlite',
    requires: { alert_history: ['id', 'fingerprint', 'status', 'labels', 'startsAt'] },
    phases: originalPhases,
  },
  {
    name: 'python-sqlite',
    kind: 'sqlite',
    requires: { alerts: ['id', 'fingerprint', 'alertname', 'status', 'labels', 'starts_at', 'received_at'] },
    phases: pythonSqlitePhases,
  },
  {
    name: 'go-lite',
    kind: 'sqlite',
    requires: { alerts: ['fingerprint', 'alert_name', 'status', 'labels', 'starts_at', 'updated_at'] },
    phases: goLitePhases,
  },
  {
    name: 'postgres',
    kind: 'postgres',
    requires: { alerts: ['id', 'fingerprint', 'alert_name', 'status', 'labels', 'starts_at'] },
    phases: postgresPhases,
  },
];

/** What the shape needs that the catalog lacks (`table` or `table.column`); empty when it fits. */
export function missingFor(shape: Shape, catalog: Catalog): string[] {
  return Object.entries(shape.requires).flatMap(([table, columns]) => {
    const seen = catalog.get(table);
    return seen ? columns.filter((c) => !seen.has(c)).map((c) => `${table}.${c}`) : [table];
  });
}

/** The shape of that name. */
export function shapeNamed(name: string): Shape | undefined {
  return ALL.find((s) => s.name === name);
}

/** The first shape of the source's kind whose tables and columns are all there. */
export function detectShape(kind: 'sqlite' | 'postgres', catalog: Catalog): Shape | undefined {
  return ALL.find((s) => s.kind === kind && missingFor(s, catalog).length === 0);
}

/** The catalog as one line: `alerts(id, fingerprint, ...), settings(...)`, or `no tables`. */
export function describeCatalog(catalog: Catalog): string {
  if (catalog.size === 0) return 'no tables';
  return [...catalog]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, cols]) => `${t}(${[...cols].join(', ')})`)
    .join(', ');
}

/** `--shape` names no shape, or one the source does not fit, or none fits (exit 2). */
export class ShapeUsageError extends Error {}

/** A shape and the phases it reads from this source. */
export interface ResolvedShape {
  shape: Shape;
  phases: Phase[];
}

/** The shape to read: forced by --shape (which must fit), else detected. */
export async function resolveShape(source: LegacySource, forced: string | undefined): Promise<ResolvedShape> {
  const catalog = await source.catalog();
  if (forced !== undefined) {
    const shape = shapeNamed(forced);
    if (!shape) throw new ShapeUsageError(`--shape: unknown shape ${JSON.stringify(forced)} (known: ${SHAPES.join(', ')})`);
    if (shape.kind !== source.kind) throw new ShapeUsageError(`--shape ${forced} reads a ${shape.kind} store, but --from names a ${source.kind} one`);
    const missing = missingFor(shape, catalog);
    if (missing.length > 0) throw new ShapeUsageError(`--shape ${forced}: the source lacks ${missing.join(', ')}; tables seen: ${describeCatalog(catalog)}`);
    return { shape, phases: shape.phases(catalog) };
  }
  const shape = detectShape(source.kind, catalog);
  if (!shape)
    throw new ShapeUsageError(`cannot tell the shape of ${source.display}: tables seen: ${describeCatalog(catalog)} (known shapes: ${SHAPES.join(', ')})`);
  return { shape, phases: shape.phases(catalog) };
}
