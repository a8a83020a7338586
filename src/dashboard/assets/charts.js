// Hand-written SVG charts (no library): the stacked alert timeline, horizontal bar lists for
// distributions, and the firing/resolved strip of one alert. Each chart is an accessible image:
// role="img" with <title>, <desc> and an aria-label; colours come from CSS classes (themes).
import { svg } from './dom.js';
import { dayHour, duration, number, shortTime, toDate } from './format.js';

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

function cssToken(value) {
  return (
    String(value ?? 'none')
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '') || 'none'
  );
}

/** An <svg role="img"> with its title and description. */
function frame({ width, height, title, desc, cls }) {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  return svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      class: `chart ${cls ?? ''}`.trim(),
      role: 'img',
      'aria-label': `${title}. ${desc}`,
      'aria-labelledby': `${titleId} ${descId}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: titleId }, title),
    svg('desc', { id: descId }, desc),
  );
}

/** Rounds a maximum up to 1, 2 or 5 times a power of ten. */
function niceMax(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function gridLines(root, geo) {
  for (const fraction of [0, 0.5, 1]) {
    const y = geo.top + geo.plotH * (1 - fraction);
    root.append(svg('line', { x1: geo.left, x2: geo.left + geo.plotW, y1: y, y2: y, class: 'gridline' }));
    root.append(svg('text', { x: geo.left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, number(Math.round(geo.max * fraction))));
  }
}

function timelineBar(point, index, geo) {
  const firing = point.firing_alerts ?? 0;
  const resolved = point.resolved_alerts ?? 0;
  const x = geo.left + index * geo.step + geo.step * 0.1;
  const width = Math.max(1, geo.step * 0.8);
  const hFiring = (firing / geo.max) * geo.plotH;
  const hResolved = (resolved / geo.max) * geo.plotH;
  const base = geo.top + geo.plotH;
  const label = `${geo.label(point.timestamp)}: ${firing} firing, ${resolved} resolved (critical ${point.critical_alerts ?? 0}, warning ${point.warning_alerts ?? 0}, info ${point.info_alerts ?? 0})`;
  return svg(
    'g',
    { class: 'bar-group' },
    svg('title', {}, label),
    svg('rect', { x, width, y: base - hFiring, height: hFiring, class: 'bar-firing' }),
    svg('rect', { x, width, y: base - hFiring - hResolved, height: hResolved, class: 'bar-resolved' }),
    svg('rect', { x: x - geo.step * 0.1, width: geo.step, y: geo.top, height: geo.plotH, class: 'hit' }),
  );
}

function xLabels(root, points, geo) {
  const every = Math.max(1, Math.ceil(points.length / 6));
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    const x = geo.left + i * geo.step + geo.step / 2;
    root.append(svg('text', { x, y: geo.top + geo.plotH + 16, class: 'axis', 'text-anchor': 'middle' }, geo.label(p.timestamp)));
  });
}

function timelineSummary(points, label) {
  const firing = points.reduce((n, p) => n + (p.firing_alerts ?? 0), 0);
  const resolved = points.reduce((n, p) => n + (p.resolved_alerts ?? 0), 0);
  const peak = points.reduce(
    (best, p) => ((p.firing_alerts ?? 0) + (p.resolved_alerts ?? 0) > (best.firing_alerts ?? 0) + (best.resolved_alerts ?? 0) ? p : best),
    points[0] ?? {},
  );
  const peakCount = (peak.firing_alerts ?? 0) + (peak.resolved_alerts ?? 0);
  const peakText = peakCount > 0 ? `; busiest bucket ${label(peak.timestamp)} with ${peakCount}` : '';
  return `${firing} firing and ${resolved} resolved state changes in ${points.length} buckets${peakText}.`;
}

/** The alert timeline: stacked bars of firing and resolved state changes per bucket. */
export function timelineChart(points, hours) {
  const width = 720;
  const height = 220;
  const label = hours > 24 ? dayHour : shortTime;
  const span = hours === 1 ? 'last hour' : hours === 24 ? 'last 24 hours' : `last ${Math.round(hours / 24)} days`;
  const max = niceMax(Math.max(0, ...points.map((p) => (p.firing_alerts ?? 0) + (p.resolved_alerts ?? 0))));
  const geo = { left: 40, top: 10, plotW: width - 48, plotH: height - 40, max, label };
  geo.step = geo.plotW / Math.max(1, points.length);
  const root = frame({ width, height, title: `Alert timeline, ${span}`, desc: timelineSummary(points, label), cls: 'chart-timeline' });
  gridLines(root, geo);
  points.forEach((p, i) => root.append(timelineBar(p, i, geo)));
  xLabels(root, points, geo);
  return root;
}

/** A horizontal bar list of counts: { key: count }, largest first, at most `limit` rows. */
export function barList(counts, { title, limit = 8, colorBy = 'key' } = {}) {
  const entries = Object.entries(counts ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit);
  const width = 360;
  const row = 26;
  const height = Math.max(row, entries.length * row);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const desc = entries.length ? entries.map(([k, n]) => `${k}: ${n}`).join(', ') : 'no data';
  const root = frame({ width, height, title, desc, cls: 'chart-bars' });
  entries.forEach(([key, n], i) => {
    const y = i * row;
    const barW = Math.max(2, ((width - 170) * n) / max);
    const shown = key.length > 18 ? `${key.slice(0, 17)}…` : key;
    const cls = colorBy === 'key' ? `bar bar-${cssToken(key)}` : 'bar';
    root.append(
      svg(
        'g',
        {},
        svg('title', {}, `${key}: ${n}`),
        svg('text', { x: 0, y: y + 17, class: 'label' }, shown),
        svg('rect', { x: 130, y: y + 5, width: barW, height: row - 10, rx: 3, class: cls }),
        svg('text', { x: 136 + barW, y: y + 17, class: 'value' }, number(n)),
      ),
    );
  });
  return root;
}

function segmentsOf(events, now) {
  const sorted = [...events].sort((a, b) => (toDate(a.at)?.getTime() ?? 0) - (toDate(b.at)?.getTime() ?? 0));
  return sorted.map((e, i) => {
    const start = toDate(e.at)?.getTime() ?? now;
    const end = i + 1 < sorted.length ? (toDate(sorted[i + 1].at)?.getTime() ?? now) : now;
    return { status: e.status, start, end: Math.max(start, end) };
  });
}

/** The firing/resolved strip of one alert: `events` are { status, at } in any order. */
export function stateStrip(events, now = Date.now()) {
  const width = 720;
  const height = 34;
  const segments = segmentsOf(events, now);
  const first = segments[0]?.start ?? now;
  const total = Math.max(1, now - first);
  const desc = segments.map((s) => `${s.status} for ${duration((s.end - s.start) / 1000)}`).join(', ') || 'no state changes';
  const root = frame({ width, height, title: 'State over time', desc, cls: 'chart-strip' });
  for (const s of segments) {
    const x = ((s.start - first) / total) * width;
    const w = Math.max(2, ((s.end - s.start) / total) * width);
    root.append(
      svg(
        'rect',
        { x, y: 4, width: w, height: height - 8, class: `strip-${cssToken(s.status)}` },
        svg('title', {}, `${s.status} for ${duration((s.end - s.start) / 1000)}`),
      ),
    );
  }
  return root;
}
