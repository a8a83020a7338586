// One alert (/dashboard/alerts/<fingerprint>): its current state, labels and annotations, the
// timeline of its state changes with the durations between them, its classification with
// reasoning and recommendations (GET /classification/<fingerprint>, 404 = not classified yet), and
// its deliveries grouped per publishing target. Live events for this alert refresh it.
import { get, post } from '../api.js';
import { stateStrip } from '../charts.js';
import { badge, card, empty, errorBox, externalLink, fill, h, isAbort, labelChips, link, loadInto, loading, timeEl } from '../dom.js';
import { duration, millis, number, percent, secondsBetween, toDate } from '../format.js';
import { debounce } from '../live.js';
import { deliveryTable, stateCounts, targetLabel } from './deliveries.js';
import { loadLifecycle } from './lifecycle.js';
import { silencesPanel } from '../silences.js';

/** When an event's state change happened: startsAt for firing, endsAt (else received) for resolved. */
function changeAt(e) {
  return e.status === 'resolved' ? (e.endsAt ?? e.receivedAt) : e.startsAt;
}

function chronological(events) {
  const key = (e) => (toDate(changeAt(e))?.getTime() ?? 0) * 2 + (e.status === 'resolved' ? 1 : 0);
  return [...events].sort((a, b) => key(a) - key(b));
}

function eventItem(e, nextAt) {
  const at = changeAt(e);
  const until = nextAt ?? new Date().toISOString();
  const lasted = duration(secondsBetween(at, until));
  const span = nextAt ? `${e.status} for ${lasted}` : `${e.status} for ${lasted} so far`;
  return h(
    'li',
    { class: `event event-${e.status === 'firing' ? 'firing' : 'resolved'}` },
    h('div', {}, badge(e.status), ' ', timeEl(at)),
    h('div', { class: 'muted small' }, span, ' · received ', timeEl(e.receivedAt, { relativeOnly: true }), e.receiver ? ` · via ${e.receiver}` : ''),
  );
}

function eventsBlock(events) {
  if (!events.length) return empty('No state changes stored.', 'They may have been removed by retention (retention.days).');
  const ordered = chronological(events);
  const items = ordered.map((e, i) => eventItem(e, i + 1 < ordered.length ? changeAt(ordered[i + 1]) : null));
  return [stateStrip(ordered.map((e) => ({ status: e.status, at: changeAt(e) }))), h('ol', { class: 'events', testid: 'alert-events' }, items)];
}

function definitionList(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function annotationValue(key, value) {
  return /url$/i.test(key) ? externalLink(value, value) : value;
}

function summaryBlock(detail) {
  const c = detail.current;
  const annotations = Object.entries(c.annotations ?? {});
  return [
    definitionList([
      ['Status', badge(c.status)],
      ['Severity', c.severity],
      ['Namespace', c.namespace],
      ['Fingerprint', h('code', {}, detail.fingerprint)],
      ['Started', timeEl(c.startsAt)],
      ['Ended', c.endsAt ? timeEl(c.endsAt) : null],
      ['First seen', timeEl(c.firstSeen)],
      ['Last change', timeEl(c.lastChange)],
      ['State changes', `${number(c.eventCount)} (${number(c.flapCount)} flaps)`],
      ['Source', c.generatorURL ? externalLink(c.generatorURL, 'generator link') : null],
    ]),
    h('h3', { class: 'sub' }, 'Labels'),
    labelChips(c.labels),
    annotations.length ? [h('h3', { class: 'sub' }, 'Annotations'), definitionList(annotations.map(([k, v]) => [k, annotationValue(k, v)]))] : null,
  ];
}

function classificationBlock(c, reclassify) {
  const button = h('button', { type: 'button', class: 'btn btn-small', on: { click: reclassify } }, 'Classify again');
  if (!c) {
    return h(
      'div',
      { testid: 'alert-classification' },
      empty('Not classified yet.', 'Alerts are classified when they arrive through POST /webhook/proxy in an enriched mode; or classify this one now:'),
      button,
    );
  }
  const recommendations = c.recommendations ?? [];
  return h(
    'div',
    { testid: 'alert-classification' },
    h(
      'p',
      { class: 'class-head' },
      badge(c.severity),
      ' ',
      h('meter', { min: 0, max: 1, value: c.confidence, 'aria-label': 'Confidence' }),
      ` ${percent(c.confidence)} confidence`,
    ),
    definitionList([
      ['Source', c.source],
      ['Model', c.model],
      ['Category', c.category],
      ['Took', c.processing_time !== undefined ? millis(c.processing_time) : null],
      ['Classified', timeEl(c.created_at)],
    ]),
    h('h3', { class: 'sub' }, 'Reasoning'),
    h('p', { class: 'reasoning-full' }, c.reasoning || '—'),
    h('h3', { class: 'sub' }, 'Recommendations'),
    recommendations.length
      ? h(
          'ol',
          { class: 'recs-list' },
          recommendations.map((r) => h('li', {}, r)),
        )
      : h('p', { class: 'muted' }, 'None.'),
    button,
  );
}

async function fetchClassification(fingerprint, fromDetail, signal) {
  if (fromDetail) return fromDetail;
  try {
    return await get(`/classification/${encodeURIComponent(fingerprint)}`, {}, { signal });
  } catch (err) {
    if (err && err.status === 404) return null;
    throw err;
  }
}

function deliveriesBlock(data, onRetried) {
  const rows = data.deliveries ?? [];
  if (!rows.length)
    return empty(
      'No deliveries for this alert.',
      'It was recorded through POST /webhook (history only), filtered before routing, or no publishing target is enabled.',
    );
  const byTarget = new Map();
  for (const d of rows) byTarget.set(d.target, [...(byTarget.get(d.target) ?? []), d]);
  return h(
    'div',
    { testid: 'alert-deliveries' },
    [...byTarget.entries()].map(([target, list]) =>
      h('section', { class: 'target-group' }, h('h3', { class: 'sub' }, targetLabel(target), ' ', stateCounts(list)), deliveryTable(list, { onRetried })),
    ),
  );
}

/** Fills the page when the alert cannot be loaded: "unknown fingerprint" or the error with Retry. */
function showFailure(slots, { err, fingerprint, retry }) {
  const dash = () => h('p', { class: 'muted' }, '—');
  if (err && err.status === 404) {
    fill(
      slots.summary,
      empty(`No alert with fingerprint ${fingerprint}.`, 'It may have been removed by retention, or the link is wrong. Search the history instead.'),
    );
    fill(slots.events, link('/dashboard/history', 'Open the history explorer'));
    fill(slots.classification, dash());
    fill(slots.deliveries, dash());
    return;
  }
  fill(slots.summary, errorBox(err, retry));
  [slots.events, slots.classification, slots.deliveries].forEach((s) => fill(s, dash()));
}

/** Mounts the alert page. */
export function mount(outlet, ctx) {
  const fingerprint = ctx.params[0] ?? '';
  const abort = new AbortController();
  const signal = abort.signal;
  const slots = { summary: h('div', {}), events: h('div', {}), classification: h('div', {}), deliveries: h('div', {}), silences: h('div', {}) };
  let silences = null;
  const lifecycle = h('div', {});
  const title = h('h1', {}, fingerprint);

  async function reclassify() {
    fill(slots.classification, loading('Classifying…'));
    try {
      await post(`/classification/refresh/${encodeURIComponent(fingerprint)}`);
    } catch (err) {
      if (!isAbort(err))
        fill(
          slots.classification,
          errorBox(err, () => void reclassify()),
        );
      return;
    }
    void loadClassification(null, false);
  }

  const loadClassification = (fromDetail, quiet) =>
    loadInto(slots.classification, {
      signal,
      quiet,
      fetch: () => fetchClassification(fingerprint, fromDetail, signal),
      render: (c) => classificationBlock(c, () => void reclassify()),
    });
  const loadDeliveries = (quiet) =>
    loadInto(slots.deliveries, {
      signal,
      quiet,
      fetch: () => get('/publishing/deliveries', { fingerprint, limit: 200 }, { signal }),
      render: (d) => deliveriesBlock(d, () => void loadDeliveries(true)),
    });

  async function load(quiet) {
    void loadLifecycle(lifecycle, { fingerprint, signal, quiet });
    if (!quiet) [slots.summary, slots.events].forEach((s) => fill(s, loading()));
    try {
      const detail = await get(`/history/${encodeURIComponent(fingerprint)}`, { limit: 500 }, { signal });
      title.textContent = detail.alertname;
      document.title = `${detail.alertname} · alert-history`;
      fill(slots.summary, summaryBlock(detail));
      fill(slots.events, eventsBlock(detail.events ?? []));
      if (!silences) {
        silences = silencesPanel({ fingerprint, labels: detail.current.labels ?? {}, signal });
        fill(slots.silences, silences.el);
      }
      void loadClassification(detail.classification, quiet);
    } catch (err) {
      if (!isAbort(err) && !signal.aborted) showFailure(slots, { err, fingerprint, retry: () => void load(false) });
      return;
    }
    void loadDeliveries(quiet);
  }

  const refresh = debounce(() => void load(true), 1000);
  const mine = (d) => {
    if (d && d.fingerprint === fingerprint) refresh();
  };
  const unsubscribe = ['alert_created', 'alert_resolved', 'classification', 'delivery'].map((type) => ctx.live.on(type, mine));

  fill(
    outlet,
    h(
      'div',
      { class: 'page-head' },
      title,
      h('span', { class: 'muted small' }, link('/dashboard/history?fingerprint=' + encodeURIComponent(fingerprint), 'All events in history')),
    ),
    h('div', { class: 'grid grid-main' }, card('Alert', { class: 'span-2' }, slots.summary), card('Classification', {}, slots.classification)),
    card('Silences', {}, slots.silences),
    card('State changes', {}, slots.events),
    card('Lifecycle in Alertmanager', {}, lifecycle),
    card('Deliveries per target', {}, slots.deliveries),
  );
  void load(false);

  return {
    unmount() {
      abort.abort();
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}
