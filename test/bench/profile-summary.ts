// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks functions by self time: the
// time of the samples whose top frame is that function. Frames are grouped by function name, file
// and line, so one function reached through many call paths counts once.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of a .cpuprofile this summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One function's share of the samples. */
export interface FunctionTime {
  name: string;
  /** `file:line` (1-based), relative to the checkout where it is inside it. */
  where: string;
  selfMs: number;
  /** Percent of all sampled time (idle included). */
  percent: number;
  /** The nearest application or package caller most of that self time came through. */
  caller: string;
}

/** The ranking and what it was taken over. */
export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  top: FunctionTime[];
  /** Self time by package (node_modules/<name>), source folder (src/<dir>) or V8/Node internals. */
  byArea: { area: string; selfMs: number; percent: number }[];
  /** Application functions (src/) by total time, callees included. */
  inclusive: { name: string; where: string; totalMs: number; percent: number }[];
}

const ROOT = new URL('../../', import.meta.url).pathname;

function fileOf(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const pkg = path.lastIndexOf('/node_modules/');
  if (pkg >= 0) return path.slice(pkg + 1);
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

function whereOf(frame: CallFrame): string {
  const file = fileOf(frame.url);
  return file ? `${file}:${frame.lineNumber + 1}` : '(native)';
}

/** The package, source folder or runtime part a frame belongs to. */
export function areaOf(frame: CallFrame): string {
  const file = fileOf(frame.url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1]!;
  const src = /^(src|test)\/([^/]+)\//.exec(file);
  if (src) return `${src[1]}/${src[2]}`;
  if (file.startsWith('node:')) return 'node: internals';
  if (!file) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  return file;
}

/** Self milliseconds per profile node id. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return self;
}

function addTo(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

const keyOf = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}\t${whereOf(frame)}`;

function parentsOf(profile: CpuProfile): Map<number, ProfileNode> {
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  return parents;
}

/** Application or package code (not Node's internals, not native frames). */
const isUserland = (frame: CallFrame): boolean => frame.url !== '' && !frame.url.startsWith('node:');

/** The nearest application or package frame above a node: who asked for native/internal work. */
function callerOf(node: ProfileNode, parents: Map<number, ProfileNode>): ProfileNode | undefined {
  let parent = parents.get(node.id);
  while (parent && !isUserland(parent.callFrame)) parent = parents.get(parent.id);
  return parent ?? parents.get(node.id);
}

/** The caller that carried most of a function's self time. */
function mainCaller(callers: Map<string, number> | undefined): string {
  const best = [...(callers ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1])[0];
  return best ? best[0].replace('\t', ' ') : '';
}

interface Totals {
  byKey: Map<string, number>;
  self: Map<number, number>;
  children: Map<number, ProfileNode[]>;
}

/** Adds a subtree's time to every function on the path to it, once per function (recursion). */
function inclusive(node: ProfileNode, totals: Totals, active: Set<string>): number {
  const key = keyOf(node.callFrame);
  const entered = !active.has(key);
  if (entered) active.add(key);
  let ms = totals.self.get(node.id) ?? 0;
  for (const child of totals.children.get(node.id) ?? []) ms += inclusive(child, totals, active);
  if (entered) {
    active.delete(key);
    addTo(totals.byKey, key, ms);
  }
  return ms;
}

/** Application functions (src/) by total time: themselves and everything they called. */
function topInclusive(profile: CpuProfile, self: Map<number, number>, limit: number): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const children = new Map(profile.nodes.map((n) => [n.id, (n.children ?? []).map((c) => byId.get(c)!).filter(Boolean)]));
  const totals: Totals = { byKey: new Map(), self, children };
  const root = profile.nodes[0];
  if (root) inclusive(root, totals, new Set());
  return [...totals.byKey.entries()]
    .filter(([key]) => key.includes('\tsrc/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit);
}

/** Ranks the functions of a profile by self time. */
export function summarize(profile: CpuProfile, limit = 25): ProfileSummary {
  const self = selfTimes(profile);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const parents = parentsOf(profile);
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const key = keyOf(node.callFrame);
    addTo(byFunction, key, ms);
    addTo(byArea, areaOf(node.callFrame), ms);
    const parent = callerOf(node, parents);
    if (parent) addTo(callers.get(key) ?? callers.set(key, new Map()).get(key)!, keyOf(parent.callFrame), ms);
  }
  const pct = (ms: number): number => Math.round((ms / totalMs) * 1000) / 10;
  const top = [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, ms]) => {
      const [name = '', where = ''] = key.split('\t');
      return { name, where, selfMs: Math.round(ms), percent: pct(ms), caller: mainCaller(callers.get(key)) };
    });
  const areas = [...byArea.entries()].sort((a, b) => b[1] - a[1]).map(([area, ms]) => ({ area, selfMs: Math.round(ms), percent: pct(ms) }));
  const total = topInclusive(profile, self, limit).map(([key, ms]) => {
    const [name = '', where = ''] = key.split('\t');
    return { name, where, totalMs: Math.round(ms), percent: pct(ms) };
  });
  return { totalMs: Math.round(totalMs), idleMs: Math.round(byArea.get('(idle)') ?? 0), top, byArea: areas, inclusive: total };
}

/** Reads and ranks a .cpuprofile file. */
export function summarizeFile(path: string, limit?: number): ProfileSummary {
  return summarize(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, limit);
}

/** The summary as Markdown tables: top functions, then self time by area. */
export function renderSummary(title: string, summary: ProfileSummary, areas = 15): string {
  const busy = summary.totalMs - summary.idleMs;
  const lines = [
    `### ${title}`,
    '',
    `${summary.totalMs} ms sampled, ${busy} ms busy (${Math.round((busy / Math.max(1, summary.totalMs)) * 100)} %), ${summary.idleMs} ms idle.`,
    '',
    '| # | function | file:line | self ms | % | mostly called from |',
    '|---:|---|---|---:|---:|---|',
    ...summary.top.map((f, i) => `| ${i + 1} | \`${f.name}\` | ${f.where} | ${f.selfMs} | ${f.percent} | ${f.caller} |`),
    '',
    '| area | self ms | % |',
    '|---|---:|---:|',
    ...summary.byArea.slice(0, areas).map((a) => `| ${a.area} | ${a.selfMs} | ${a.percent} |`),
    '',
    '| application function (src/) | file:line | total ms (with callees) | % |',
    '|---|---|---:|---:|',
    ...summary.inclusive.slice(0, areas).map((f) => `| \`${f.name}\` | ${f.where} | ${f.totalMs} | ${f.percent} |`),
    '',
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const [path, limit] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node test/bench/profile-summary.ts FILE.cpuprofile [LIMIT]\n');
    process.exit(2);
  }
  process.stdout.write(renderSummary(path, summarizeFile(path, limit ? Number(limit) : undefined)));
}
