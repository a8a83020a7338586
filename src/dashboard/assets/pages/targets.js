// The targets page (/dashboard/targets and /dashboard/publishing): the publishing mode and stats,
// every target with its source, readiness, health, circuit and counts, a "Send test alert" button
// per target showing the result, and the dead letters (GET /publishing/deliveries?state=dead) with
// Retry. Delivery and target events refresh it. A target is shown and addressed by its key
// (namespace/name; a config.yaml target by name), so namesakes of two namespaces stay apart.
// "Try a filter" (replay-form.js) replays a filter over stored history.
import { get, post } from '../api.js';
import { badge, card, empty, fill, h, loadInto, stat, table, timeEl } from '../dom.js';
import { millis, number, percent } from '../format.js';
import { debounce } from '../live.js';
import { deliveryTable, targetLabel } from './deliveries.js';
import { replayCard } from './replay-form.js';

const DEAD_LIMIT = 20;

function yesNo(value) {
  return badge(value ? 'yes' : 'no', value ? 'yes' : 'no');
}

function describeTest(res) {
  const code = res.status_code !== null && res.status_code !== undefined ? ` · HTTP ${res.status_code}` : '';
  const took = ` · ${millis(res.response_time_ms)}`;
  if (res.success) return { ok: true, text: `✓ delivered${code}${took}` };
  return { ok: false, text: `✗ failed${code}${took}${res.error_message ? ` · ${res.error_message}` : ''}` };
}

function showResult(el, result) {
  el.textContent = result ? result.text : '';
  el.dataset.ok = result ? String(result.ok) : '';
}

function keyOf(target) {
  return target.key ?? target.name;
}

function testCell(target, results) {
  const key = keyOf(target);
  const out = h('span', { class: 'test-result small', testid: 'test-result', role: 'status' });
  showResult(out, results.get(key));
  const button = h('button', { type: 'button', class: 'btn btn-small', testid: 'test-send', 'aria-label': `Send a test alert to ${key}` }, 'Send test alert');
  button.addEventListener('click', async () => {
    button.disabled = true;
    showResult(out, { ok: true, text: 'Sending…' });
    try {
      const res = await post(`/publishing/test/${encodeURIComponent(key)}`);
      results.set(key, describeTest(res));
    } catch (err) {
      results.set(key, { ok: false, text: `✗ ${err && err.message ? err.message : String(err)}` });
    }
    showResult(out, results.get(key));
    button.disabled = false;
  });
  return h('div', { class: 'test-cell' }, button, out);
}

function countsCell(t) {
  const extra = [
    `${number(t.successful_publishes)} ok`,
    `${number(t.failed_publishes)} failed`,
    t.dead_lettered === undefined ? null : `${number(t.dead_lettered)} dead`,
    t.pending === undefined ? null : `${number(t.pending)} pending`,
  ].filter(Boolean);
  return [h('strong', {}, number(t.total_publishes)), h('div', { class: 'muted small' }, extra.join(' · '))];
}

function targetRow(t, results) {
  return h(
    'tr',
    { testid: 'target-row', dataset: { name: t.name, key: keyOf(t) } },
    h('th', { scope: 'row', class: 'nowrap' }, targetLabel(keyOf(t))),
    h('td', {}, t.type, h('div', {}, badge(t.source, 'source'))),
    h('td', {}, h('code', { class: 'small' }, t.url || '—')),
    h(
      'td',
      { class: 'nowrap' },
      h('span', { class: 'muted small' }, 'enabled '),
      yesNo(t.enabled),
      h('br'),
      h('span', { class: 'muted small' }, 'ready '),
      yesNo(t.ready),
    ),
    h(
      'td',
      { class: 'nowrap' },
      badge(t.health_status),
      t.circuit_state ? h('div', { class: 'muted small' }, `circuit ${t.circuit_state.replace('_', '-')}`) : null,
    ),
    h('td', {}, countsCell(t)),
    h('td', {}, timeEl(t.last_successful_publish, { relativeOnly: true })),
    h('td', {}, testCell(t, results)),
  );
}

function noTargets() {
  return empty(
    'No publishing targets configured — the service runs in metrics-only mode.',
    'Alerts are recorded and classified; nothing is sent. Add publishing.targets[] to config.yaml (see config/config.example.yaml), create PublishingTarget resources in Kubernetes, or try the local vendor fakes:',
    'make fakes   # then, in another terminal:\nCONFIG_FILE=config.fakes.yaml make run',
  );
}

function targetsBlock(targets, results) {
  if (!targets.length) return noTargets();
  const headers = ['Target', 'Type / source', 'URL (masked)', 'State', 'Health', 'Deliveries', 'Last success', 'Test'];
  return table(
    headers,
    targets.map((t) => targetRow(t, results)),
    { testid: 'targets-table', class: 'data-table' },
  );
}

function summaryBlock([mode, stats]) {
  return [
    h(
      'div',
      { class: 'stats' },
      stat('Mode', mode.mode, { kind: mode.mode === 'intelligent' ? 'ok' : 'warn', note: mode.description }),
      stat('Targets', `${number(stats.active_targets)} / ${number(stats.total_targets)}`, { note: 'enabled / known' }),
      stat('Success rate', percent(stats.success_rate), { note: `${number(stats.successful_publishes)} ok · ${number(stats.failed_publishes)} failed` }),
      stat('Queue', number(stats.queue_pending), { note: 'deliveries pending' }),
      stat('Dead letters', number(stats.dead_lettered), { kind: stats.dead_lettered > 0 ? 'hot' : 'ok' }),
    ),
    h(
      'p',
      { class: 'muted small' },
      'Last discovery ',
      timeEl(mode.last_discovery_refresh, { relativeOnly: true }),
      mode.kubernetes_available ? ' · Kubernetes discovery on' : '',
    ),
  ];
}

function deadBlock(data, { onRetried, onPage }) {
  const rows = data.deliveries ?? [];
  if (!rows.length && data.page <= 1) return empty('No dead letters.', 'Every delivery either succeeded, was filtered, or is still being retried.');
  const prev = h('button', { type: 'button', class: 'btn btn-small', disabled: data.page <= 1, on: { click: () => onPage(data.page - 1) } }, '← Newer');
  const next = h('button', { type: 'button', class: 'btn btn-small', disabled: !data.has_more, on: { click: () => onPage(data.page + 1) } }, 'Older →');
  return [
    deliveryTable(rows, { showTarget: true, showAlert: true, rowTestid: 'dead-letter', onRetried }),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Dead letter pages' },
      prev,
      h('span', { class: 'page-info' }, `Page ${data.page} · ${number(data.total)} dead`),
      next,
    ),
  ];
}

async function rediscover(note, done) {
  note.textContent = 'Re-discovering…';
  try {
    const res = await post('/publishing/targets/refresh');
    note.textContent = `Found ${res.targets_discovered} target(s).`;
    done();
  } catch (err) {
    note.textContent = err && err.message ? err.message : String(err);
  }
}

/** Mounts the targets page. */
export function mount(outlet, ctx) {
  const abort = new AbortController();
  const signal = abort.signal;
  const results = new Map();
  const slots = { summary: h('div', {}), targets: h('div', {}), dead: h('div', { testid: 'dead-letters' }) };
  let deadPage = 1;
  const replay = replayCard({ signal });

  const loadSummary = (quiet) =>
    loadInto(slots.summary, {
      signal,
      quiet,
      fetch: () => Promise.all([get('/publishing/mode', {}, { signal }), get('/publishing/stats', {}, { signal })]),
      render: summaryBlock,
    });
  const loadTargets = (quiet) =>
    loadInto(slots.targets, {
      signal,
      quiet,
      fetch: () => get('/publishing/targets', {}, { signal }),
      render: (t) => {
        const list = Array.isArray(t) ? t : [];
        replay.setTargets(list);
        return targetsBlock(list, results);
      },
    });
  const loadDead = (quiet) =>
    loadInto(slots.dead, {
      signal,
      quiet,
      fetch: () => get('/publishing/deliveries', { state: 'dead', limit: DEAD_LIMIT, page: deadPage }, { signal }),
      render: (d) =>
        deadBlock(d, {
          onRetried: () => refresh(),
          onPage: (n) => {
            deadPage = Math.max(1, n);
            void loadDead(false);
          },
        }),
    });
  const refresh = debounce(() => {
    void loadSummary(true);
    void loadTargets(true);
    void loadDead(true);
  }, 1500);

  const note = h('span', { class: 'muted small', role: 'status' });
  const refreshButton = h('button', { type: 'button', class: 'btn', on: { click: () => void rediscover(note, refresh) } }, 'Re-discover targets');
  const unsubscribe = ['delivery', 'target_changed', 'resync'].map((type) => ctx.live.on(type, refresh));

  fill(
    outlet,
    h('div', { class: 'page-head' }, h('h1', {}, 'Publishing targets'), h('div', { class: 'toolbar' }, refreshButton, note)),
    slots.summary,
    card('Targets', {}, slots.targets),
    replay.element,
    card(
      'Dead letters',
      {},
      h('p', { class: 'muted small' }, 'Deliveries that will not be retried by themselves (4xx other than 408/429, or out of attempts). Retry re-queues one.'),
      slots.dead,
    ),
  );
  void loadSummary(false);
  void loadTargets(false);
  void loadDead(false);

  return {
    unmount() {
      abort.abort();
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}
