// "Try a filter" on the targets page: edit a filter (prefilled from a chosen target's current one,
// as GET /publishing/targets returns it), pick a window, run POST /publishing/replay, and see sent
// and suppressed per UTC day and alertname with the change against the current configuration.
import { post } from '../api.js';
import { card, empty, errorBox, fill, h, stat, table } from '../dom.js';
import { number } from '../format.js';

const WINDOWS = [
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
  ['30d', 'last 30 days'],
];
const NEW_TARGET = '';

function change(b) {
  const parts = [];
  if (b.newly_sent) parts.push(`+${number(b.newly_sent)} sent`);
  if (b.newly_suppressed) parts.push(`−${number(b.newly_suppressed)} suppressed`);
  return parts.length ? parts.join(' · ') : 'no change';
}

function bucketRow(name, b, testid) {
  const top = b.reasons[0];
  return h(
    'tr',
    { testid, dataset: { bucket: name } },
    h('th', { scope: 'row', class: 'nowrap' }, name || '(none)'),
    h('td', {}, number(b.events)),
    h('td', { testid: 'replay-sent' }, number(b.sent)),
    h('td', { testid: 'replay-suppressed' }, number(b.suppressed)),
    h('td', {}, number(b.current_sent)),
    h('td', { testid: 'replay-change', dataset: { changed: String(b.newly_sent + b.newly_suppressed > 0) } }, change(b)),
    h('td', { class: 'small muted' }, top ? `${top.reason} (${number(top.count)})` : '—'),
  );
}

const HEADERS = ['Events', 'Sent', 'Suppressed', 'Sent now', 'Change vs current', 'Top reason'];

function resultBlock(r) {
  const t = r.totals;
  if (t.events === 0) return empty('No events in this window.', 'Widen the window, or send alerts first.');
  return [
    h('p', { class: 'muted small', testid: 'replay-compared' }, `Replayed ${r.replayed}; compared with ${r.compared_with} (mode ${r.mode}).`),
    h(
      'div',
      { class: 'stats' },
      stat('Events', number(t.events)),
      stat('Sent', number(t.sent), { testid: 'replay-total-sent', note: `${number(t.current_sent)} now` }),
      stat('Suppressed', number(t.suppressed), { testid: 'replay-total-suppressed' }),
      stat('Newly sent', number(t.newly_sent), { kind: t.newly_sent ? 'warn' : 'ok' }),
      stat('Newly suppressed', number(t.newly_suppressed), { kind: t.newly_suppressed ? 'warn' : 'ok', testid: 'replay-newly-suppressed' }),
    ),
    t.reasons.length
      ? h(
          'ul',
          { class: 'small', testid: 'replay-reasons' },
          t.reasons.map((x) => h('li', {}, `${number(x.count)} × ${x.reason}`)),
        )
      : null,
    table(
      ['Day (UTC)', ...HEADERS],
      r.by_day.map((b) => bucketRow(b.day, b, 'replay-day')),
      { class: 'data-table', testid: 'replay-days' },
    ),
    table(
      ['Alertname', ...HEADERS],
      r.by_alertname.map((b) => bucketRow(b.alertname, b, 'replay-alertname')),
      { class: 'data-table', testid: 'replay-alertnames' },
    ),
    r.alertnames_truncated ? h('p', { class: 'muted small' }, `Only the ${r.by_alertname.length} alertnames with the most events are listed.`) : null,
  ];
}

function parseFilter(text) {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Filter: not valid JSON (${err.message})`, { cause: err });
  }
}

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { htmlFor: id }, label), input);
}

/**
 * The "Try a filter" card. `setTargets(list)` fills the target choice from GET /publishing/targets
 * (keeping the current choice); the filter is prefilled when a target is chosen.
 */
export function replayCard({ signal }) {
  let targets = [];
  const target = h('select', { id: 'replay-target', class: 'input', testid: 'replay-target' });
  const filter = h('textarea', { id: 'replay-filter', class: 'input', rows: '6', spellcheck: 'false', testid: 'replay-filter' });
  const since = h(
    'select',
    { id: 'replay-since', class: 'input', testid: 'replay-since' },
    WINDOWS.map(([v, text]) => h('option', { value: v, selected: v === '7d' }, text)),
  );
  const status = h('span', { class: 'muted small', role: 'status', testid: 'replay-status' });
  const results = h('div', { testid: 'replay-results' });
  const run = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'replay-run' }, 'Replay');

  const prefill = () => {
    const chosen = targets.find((t) => (t.key ?? t.name) === target.value);
    filter.value = JSON.stringify(chosen && chosen.filter ? chosen.filter : { excludeNoise: true }, null, 2);
  };
  target.addEventListener('change', prefill);

  const submit = async (e) => {
    e.preventDefault();
    run.disabled = true;
    status.textContent = 'Replaying…';
    try {
      const body = { since: since.value, filter: parseFilter(filter.value), ...(target.value ? { target: target.value } : {}) };
      const r = await post('/publishing/replay', body, { signal });
      status.textContent = `${number(r.totals.events)} events in ${number(r.elapsed_ms)} ms`;
      fill(results, resultBlock(r));
    } catch (err) {
      status.textContent = '';
      if (!signal.aborted) fill(results, errorBox(err));
    }
    run.disabled = false;
  };

  const form = h(
    'form',
    { class: 'replay-form', 'aria-label': 'Try a filter', on: { submit: (e) => void submit(e) } },
    h('div', { class: 'filter-grid' }, field('replay-target', 'Target', target), field('replay-since', 'Window', since)),
    field('replay-filter', 'Filter (JSON, as a target’s filter in config.yaml)', filter),
    h('div', { class: 'toolbar' }, run, status),
  );

  const element = card(
    'Try a filter',
    { testid: 'replay-card' },
    h('p', { class: 'muted small' }, 'What this filter would have sent over stored history, decided by the live filters, against the target’s current filter.'),
    form,
    results,
  );

  function setTargets(list) {
    targets = list;
    const keep = target.value;
    fill(target, h('option', { value: NEW_TARGET }, '— a new target —'), ...list.map((t) => h('option', { value: t.key ?? t.name }, t.key ?? t.name)));
    target.value = list.some((t) => (t.key ?? t.name) === keep) ? keep : NEW_TARGET;
    if (!filter.value) prefill();
  }
  setTargets([]);
  return { element, setTargets };
}
