// The history explorer (/dashboard/history): every stored state change from GET /history, with
// filters (alertname, status, namespace, severity, fingerprint, since, until and repeatable label
// matchers key=value, key!=value, key=~re, key!~re) and pagination. The filters live in the query
// string, so a URL is shareable and a reload restores it; the page updates in place when only the
// query changes.
import { get } from '../api.js';
import { alertLink, badge, card, empty, errorBox, fill, h, isAbort, table, timeEl } from '../dom.js';
import { duration, number, secondsBetween } from '../format.js';
import { noAlerts } from './overview-parts.js';
import { decorateAlertRows } from '../silences.js';

const TEXT_FILTERS = [
  ['alertname', 'Alert name', 'HighCPU'],
  ['namespace', 'Namespace', 'payments'],
  ['severity', 'Severity', 'critical'],
  ['fingerprint', 'Fingerprint', '44a691f422eafef8'],
  ['since', 'Since', '24h, 7d or RFC 3339'],
  ['until', 'Until', '1h or RFC 3339'],
];
const LIMITS = ['10', '25', '50', '100', '200', '500'];
const DEFAULT_LIMIT = '50';
const SHOWN_LABELS_SKIP = ['alertname', 'namespace', 'severity'];

function textField([name, label, placeholder]) {
  const id = `filter-${name}`;
  const input = h('input', { id, name, class: 'input', type: 'text', placeholder, autocomplete: 'off', spellcheck: 'false', testid: id });
  if (name === 'severity') input.setAttribute('list', 'severity-options');
  return h('div', { class: 'field' }, h('label', { htmlFor: id }, label), input);
}

function matcherRow(value, onRemove) {
  const input = h('input', {
    class: 'input matcher',
    type: 'text',
    name: 'label',
    value,
    placeholder: 'key=value, key!=value, key=~regex, key!~regex',
    'aria-label': 'Label matcher',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const remove = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Remove this matcher' }, '✕');
  const row = h('div', { class: 'matcher-row' }, input, remove);
  remove.addEventListener('click', () => onRemove(row));
  return row;
}

function buildForm(onApply, onReset) {
  const status = h(
    'select',
    { id: 'filter-status', name: 'status', class: 'input', testid: 'filter-status' },
    ['', 'firing', 'resolved'].map((v) => h('option', { value: v }, v || 'any')),
  );
  const limit = h(
    'select',
    { id: 'filter-limit', name: 'limit', class: 'input' },
    LIMITS.map((v) => h('option', { value: v }, v)),
  );
  const matchers = h('div', { class: 'matchers' });
  const removeRow = (row) => row.remove();
  const addMatcher = (value = '') => {
    const row = matcherRow(value, removeRow);
    matchers.append(row);
    return row;
  };
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'History filters' },
    h(
      'div',
      { class: 'filter-grid' },
      ...TEXT_FILTERS.map(textField),
      h('div', { class: 'field' }, h('label', { htmlFor: 'filter-status' }, 'Status'), status),
      h('div', { class: 'field' }, h('label', { htmlFor: 'filter-limit' }, 'Per page'), limit),
    ),
    h(
      'datalist',
      { id: 'severity-options' },
      ['critical', 'warning', 'info'].map((v) => h('option', { value: v })),
    ),
    h(
      'fieldset',
      { class: 'matcher-set' },
      h('legend', {}, 'Label matchers'),
      matchers,
      h('button', { type: 'button', class: 'btn btn-small', on: { click: () => addMatcher().querySelector('input')?.focus() } }, '+ Add matcher'),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'filter-apply' }, 'Apply filters'),
      h('button', { type: 'button', class: 'btn', testid: 'filter-reset', on: { click: onReset } }, 'Reset'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onApply();
  });
  return { form, status, limit, matchers, addMatcher };
}

/** Copies the URL's filters into the form. */
function syncForm(f, query) {
  for (const [name] of TEXT_FILTERS) f.form.elements.namedItem(name).value = query.get(name) ?? '';
  f.status.value = query.get('status') ?? '';
  const limit = query.get('limit') || DEFAULT_LIMIT;
  if (![...f.limit.options].some((o) => o.value === limit)) f.limit.append(h('option', { value: limit }, limit));
  f.limit.value = limit;
  f.matchers.replaceChildren();
  query.getAll('label').forEach((m) => f.addMatcher(m));
}

/** The query string the form describes (page 1). */
function formQuery(f) {
  const q = new URLSearchParams();
  for (const [name] of TEXT_FILTERS) {
    const value = f.form.elements.namedItem(name).value.trim();
    if (value) q.set(name, value);
  }
  if (f.status.value) q.set('status', f.status.value);
  for (const input of f.matchers.querySelectorAll('input')) if (input.value.trim()) q.append('label', input.value.trim());
  if (f.limit.value && f.limit.value !== DEFAULT_LIMIT) q.set('limit', f.limit.value);
  return q;
}

/** The /history request for a URL query. */
function apiQuery(query) {
  const out = { limit: query.get('limit') || DEFAULT_LIMIT, page: query.get('page') || undefined, label: query.getAll('label') };
  for (const [name] of TEXT_FILTERS) out[name] = query.get(name) ?? undefined;
  out.status = query.get('status') ?? undefined;
  return out;
}

function durationCell(e) {
  if (e.status === 'firing' && !e.endsAt)
    return h('span', {}, 'firing for ', h('span', { class: 'muted' }, duration(secondsBetween(e.startsAt, new Date().toISOString()))));
  return duration(secondsBetween(e.startsAt, e.endsAt));
}

function row(e, onChip) {
  const chips = Object.entries(e.labels ?? {})
    .filter(([k]) => !SHOWN_LABELS_SKIP.includes(k))
    .map(([k, v]) =>
      h('button', { type: 'button', class: 'chip chip-button', title: `Filter on ${k}=${v}`, on: { click: () => onChip(`${k}=${v}`) } }, `${k}=${v}`),
    );
  return h(
    'tr',
    { testid: 'history-row', dataset: { fingerprint: e.fingerprint } },
    h('td', {}, timeEl(e.receivedAt)),
    h('td', {}, alertLink(e.fingerprint, e.alertname), ' ', h('span', { class: 'silence-slot', dataset: { silenceSlot: '' } })),
    h('td', {}, badge(e.status)),
    h('td', {}, e.severity ?? '—'),
    h('td', {}, e.namespace ?? '—'),
    h('td', { class: 'labels-cell' }, h('span', { class: 'chips' }, chips)),
    h('td', {}, timeEl(e.startsAt)),
    h('td', {}, durationCell(e)),
  );
}

function pageLabel(data) {
  if (!data.alerts.length) return `Page ${data.page}`;
  const first = data.offset + 1;
  const last = data.offset + data.alerts.length;
  const total = data.total_exact === false ? `about ${number(data.total)}` : number(data.total);
  return `Page ${data.page} · ${number(first)}–${number(last)} of ${total}`;
}

function hasFilters(query) {
  return [...query.keys()].some((k) => k !== 'limit' && k !== 'page');
}

/** Mounts the history explorer. */
export function mount(outlet, ctx) {
  let query = ctx.query;
  let inflight = null;
  const results = h('div', { class: 'results' });
  const status = h('p', { class: 'muted small', role: 'status' });
  const prev = h('button', { type: 'button', class: 'btn', testid: 'history-prev', disabled: true }, '← Newer');
  const next = h('button', { type: 'button', class: 'btn', testid: 'history-next', disabled: true }, 'Older →');
  const pageInfo = h('span', { class: 'page-info' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pagination' }, prev, pageInfo, next);

  const go = (q) => ctx.navigate(`/dashboard/history${q.toString() ? `?${q}` : ''}`);
  const goPage = (n) => {
    const q = new URLSearchParams(query);
    if (n > 1) q.set('page', String(n));
    else q.delete('page');
    go(q);
  };
  const f = buildForm(
    () => go(formQuery(f)),
    () => go(new URLSearchParams()),
  );
  const addChip = (matcher) => {
    const q = new URLSearchParams(query);
    if (!q.getAll('label').includes(matcher)) q.append('label', matcher);
    q.delete('page');
    go(q);
  };
  prev.addEventListener('click', () => goPage(Number(query.get('page') || '1') - 1));
  next.addEventListener('click', () => goPage(Number(query.get('page') || '1') + 1));

  function render(data) {
    pageInfo.textContent = pageLabel(data);
    prev.disabled = data.page <= 1;
    next.disabled = !data.has_more;
    if (!data.alerts.length) {
      const none = hasFilters(query) ? empty('No events match these filters.', 'Remove a filter, loosen a label matcher, or widen "Since".') : noAlerts();
      fill(results, data.page > 1 ? empty('This page is past the end.', 'Go back to a newer page.') : none);
      return;
    }
    fill(
      results,
      table(
        ['Received', 'Alert', 'Status', 'Severity', 'Namespace', 'Labels', 'Started', 'Duration'],
        data.alerts.map((e) => row(e, addChip)),
        { testid: 'history-table', class: 'data-table' },
      ),
    );
    void decorateAlertRows(results, (fp) => data.alerts.find((a) => a.fingerprint === fp)?.labels);
  }

  async function load() {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    status.textContent = 'Loading…';
    prev.disabled = true;
    next.disabled = true;
    try {
      render(await get('/history', apiQuery(query), { signal: controller.signal }));
      status.textContent = '';
    } catch (err) {
      if (isAbort(err) || controller.signal.aborted) return;
      status.textContent = '';
      fill(
        results,
        errorBox(err, () => void load()),
      );
    }
  }

  syncForm(f, query);
  fill(
    outlet,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'History'),
      h('span', { class: 'muted small' }, 'Every stored state change, newest first. Share the URL to share the view.'),
    ),
    card(null, { class: 'filters-card' }, f.form),
    card(null, {}, status, results, pager),
  );
  void load();

  return {
    update(next) {
      query = next.query;
      syncForm(f, query);
      void load();
    },
    unmount() {
      inflight?.abort();
    },
  };
}
