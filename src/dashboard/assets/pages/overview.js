// The overview page (/ and /dashboard): stat cards, the alert timeline for 1 h / 24 h / 7 d,
// severity/status/namespace distributions, top and flapping alerts, recent alerts with their
// classification, component and target health, recommendations, and the mode switch. Live events
// prepend new alerts and refresh the numbers (debounced) without a reload.
import { get } from '../api.js';
import { barList, timelineChart } from '../charts.js';
import { alertLink, badge, card, empty, errorBox, fill, h, loadInto, loading, timeEl } from '../dom.js';
import { percent, truncate } from '../format.js';
import { debounce } from '../live.js';
import { flappingList, healthPanel, modesPanel, noAlerts, recentItem, statCards, topList, updateClassification } from './overview-parts.js';
import { decorateAlertRows } from '../silences.js';

const RANGES = [
  [1, '1 h', 'last hour'],
  [24, '24 h', 'last 24 hours'],
  [168, '7 d', 'last 7 days'],
];
const RECENT_LIMIT = 25;
let hours = 24;

function spanOf(h) {
  return (RANGES.find(([n]) => n === h) ?? RANGES[1])[2];
}

function rangeSwitch(onPick) {
  const buttons = RANGES.map(([n, label]) =>
    h('button', { type: 'button', class: 'seg', 'aria-pressed': String(n === hours), dataset: { hours: String(n) } }, label),
  );
  const group = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time window' }, buttons);
  group.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('button[data-hours]') : null;
    if (!button) return;
    hours = Number(button.dataset.hours);
    buttons.forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
    onPick();
  });
  return group;
}

function chartBlocks(charts) {
  const points = charts.alert_timeline ?? [];
  const total = points.reduce((n, p) => n + (p.firing_alerts ?? 0) + (p.resolved_alerts ?? 0), 0);
  const legend = h('p', { class: 'legend small' }, h('span', { class: 'key key-firing' }), 'firing ', h('span', { class: 'key key-resolved' }), 'resolved');
  const timeline = [
    timelineChart(points, hours),
    legend,
    total === 0 ? h('p', { class: 'muted small' }, `No state changes received in the ${spanOf(hours)}.`) : null,
  ];
  return { timeline, severity: charts.severity_distribution, status: charts.status_distribution, namespace: charts.namespace_distribution };
}

function distribution(counts, title) {
  if (!counts || Object.keys(counts).length === 0) return empty('No data in this window.', 'Choose a longer window, or send alerts.');
  return barList(counts, { title });
}

function recommendationsList(data) {
  if (!data.items.length)
    return empty('No recommendations yet.', 'They appear once alerts are classified: send them through POST /webhook/proxy in enriched mode.');
  return h(
    'ul',
    { class: 'recs' },
    data.items.map((r) =>
      h(
        'li',
        {},
        h(
          'div',
          {},
          badge(r.severity),
          ' ',
          alertLink(r.fingerprint, r.alert_name),
          h('span', { class: 'muted small' }, ` ${percent(r.confidence)} · `),
          timeEl(r.created_at, { relativeOnly: true }),
        ),
        r.recommendations.length
          ? h(
              'ul',
              { class: 'small' },
              r.recommendations.slice(0, 3).map((t) => h('li', {}, truncate(t, 200))),
            )
          : null,
      ),
    ),
  );
}

function layout() {
  const el = {
    stats: h('div', { class: 'stats-slot' }),
    timeline: h('div', { class: 'chart-slot', testid: 'timeline-chart' }),
    severity: h('div', {}),
    status: h('div', {}),
    namespace: h('div', {}),
    recent: h('div', { class: 'recent-slot' }),
    top: h('div', {}),
    flapping: h('div', {}),
    health: h('div', {}),
    modes: h('div', {}),
    recs: h('div', {}),
    updated: h('span', { class: 'muted small', role: 'status' }),
    filters: { severity: severitySelect(), status: statusSelect() },
  };
  return el;
}

function severitySelect() {
  return h(
    'select',
    { class: 'input input-small', 'aria-label': 'Severity of recent alerts' },
    ['', 'critical', 'warning', 'info', 'noise'].map((v) => h('option', { value: v }, v || 'any severity')),
  );
}

function statusSelect() {
  return h(
    'select',
    { class: 'input input-small', 'aria-label': 'Status of recent alerts' },
    ['', 'firing', 'resolved'].map((v) => h('option', { value: v }, v || 'any status')),
  );
}

function page(el, onRange) {
  const titled = (name, node) => [h('h3', { class: 'sub' }, name), node];
  return [
    h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), el.updated),
    el.stats,
    h('div', { class: 'grid grid-main' }, card('Alert timeline', { class: 'span-2' }, rangeSwitch(onRange), el.timeline), card('Modes', {}, el.modes)),
    h('div', { class: 'grid grid-3' }, card('Severity', {}, el.severity), card('Status', {}, el.status), card('Namespaces', {}, el.namespace)),
    h(
      'div',
      { class: 'grid grid-main' },
      card('Recent alerts', { class: 'span-2' }, h('div', { class: 'toolbar' }, el.filters.severity, el.filters.status), el.recent),
      h(
        'div',
        { class: 'stack' },
        card('Top and flapping', {}, ...titled('Fired most', el.top), ...titled('Flapping', el.flapping)),
        card('Health', {}, el.health),
        card('Recommendations', {}, el.recs),
      ),
    ),
  ];
}

/** Mounts the overview. */
export function mount(outlet, ctx) {
  const abort = new AbortController();
  const signal = abort.signal;
  const el = layout();
  let recentList = null;

  const loadStats = (quiet) =>
    loadInto(el.stats, {
      signal,
      quiet,
      fetch: () => get('/api/dashboard/overview', {}, { signal }),
      render: (o) => {
        el.updated.replaceChildren('Updated ', timeEl(o.last_updated, { relativeOnly: true }));
        return statCards(o);
      },
    });

  const loadCharts = async (quiet) => {
    if (!quiet) fill(el.timeline, timelineChart([], hours), loading('Loading the timeline…'));
    try {
      const data = chartBlocks(await get('/api/dashboard/charts', { hours }, { signal }));
      fill(el.timeline, data.timeline);
      fill(el.severity, distribution(data.severity, 'Alerts by severity'));
      fill(el.status, distribution(data.status, 'Alerts by status'));
      fill(el.namespace, distribution(data.namespace, 'Alerts by namespace'));
    } catch (err) {
      if (signal.aborted) return;
      fill(
        el.timeline,
        errorBox(err, () => loadCharts(false)),
      );
    }
  };

  const loadRanked = (quiet) => {
    const since = `${hours}h`;
    const span = spanOf(hours);
    void loadInto(el.top, { signal, quiet, fetch: () => get('/history/top', { since, limit: 8 }, { signal }), render: (d) => topList(d, span) });
    void loadInto(el.flapping, { signal, quiet, fetch: () => get('/history/flapping', { since, limit: 8 }, { signal }), render: (d) => flappingList(d, span) });
  };

  const loadRecent = (quiet) =>
    loadInto(el.recent, {
      signal,
      quiet,
      fetch: () =>
        get(
          '/api/dashboard/alerts/recent',
          {
            limit: RECENT_LIMIT,
            include_classification: true,
            severity: el.filters.severity.value,
            status: el.filters.status.value,
          },
          { signal },
        ),
      render: (d) => {
        recentList = h(
          'ul',
          { class: 'recent-list', testid: 'recent-alerts', 'aria-live': 'polite' },
          d.alerts.map((a) => recentItem(a)),
        );
        void decorateAlertRows(recentList, (fp) => d.alerts.find((a) => a.fingerprint === fp)?.labels);
        const filtered = el.filters.severity.value || el.filters.status.value;
        const none = filtered ? empty('No recent alerts match these filters.', 'Choose "any" to see everything.') : noAlerts();
        return [recentList, d.alerts.length ? null : none];
      },
    });

  const loadHealth = (quiet) =>
    loadInto(el.health, {
      signal,
      quiet,
      fetch: () => Promise.all([get('/api/dashboard/health', {}, { signal }), get('/publishing/targets', {}, { signal })]),
      render: healthPanel,
    });
  const loadModes = () =>
    loadInto(el.modes, {
      signal,
      fetch: () => Promise.all([get('/enrichment/mode', {}, { signal }), get('/publishing/mode', {}, { signal })]),
      render: modesPanel,
    });
  const loadRecs = (quiet) =>
    loadInto(el.recs, { signal, quiet, fetch: () => get('/api/dashboard/recommendations', { limit: 5 }, { signal }), render: recommendationsList });

  const refreshNumbers = debounce(() => {
    void loadStats(true);
    void loadCharts(true);
    loadRanked(true);
  }, 1500);
  const refreshAll = debounce(() => {
    void loadStats(true);
    void loadCharts(true);
    loadRanked(true);
    void loadRecent(true);
    void loadRecs(true);
  }, 1500);
  const refreshHealth = debounce(() => void loadHealth(true), 2000);

  function matchesFilters(alert) {
    const { severity, status } = el.filters;
    return (!severity.value || alert.severity === severity.value) && (!status.value || alert.status === status.value);
  }

  function onAlert(alert) {
    if (!recentList) {
      refreshAll();
      return;
    }
    refreshNumbers();
    if (!alert || !alert.fingerprint || !matchesFilters(alert)) return;
    recentList.prepend(recentItem(alert, { fresh: true }));
    el.recent.querySelector('.state-empty')?.remove();
    while (recentList.children.length > RECENT_LIMIT) recentList.lastElementChild?.remove();
  }

  const unsubscribe = [
    ctx.live.on('alert_created', onAlert),
    ctx.live.on('alert_resolved', onAlert),
    ctx.live.on('classification', (d) => {
      if (recentList) updateClassification(recentList, d);
      refreshAll();
    }),
    ctx.live.on('stats_updated', refreshAll),
    ctx.live.on('resync', refreshAll),
    ctx.live.on('delivery', () => {
      refreshNumbers();
      refreshHealth();
    }),
    ctx.live.on('target_changed', refreshHealth),
  ];

  const onRange = () => {
    void loadCharts(false);
    loadRanked(false);
  };
  el.filters.severity.addEventListener('change', () => void loadRecent(false));
  el.filters.status.addEventListener('change', () => void loadRecent(false));
  fill(outlet, page(el, onRange));
  void loadStats(false);
  void loadCharts(false);
  loadRanked(false);
  void loadRecent(false);
  void loadHealth(false);
  void loadModes();
  void loadRecs(false);

  return {
    unmount() {
      abort.abort();
      unsubscribe.forEach((off) => off());
      [refreshNumbers, refreshAll, refreshHealth].forEach((d) => d.cancel());
    },
  };
}
