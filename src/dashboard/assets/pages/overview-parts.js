// The overview's building blocks: stat cards, recent alert items with their classification, top
// and flapping lists, component and target health, and the enrichment/publishing mode panel.
import { post } from '../api.js';
import { alertLink, badge, empty, h, link, stat, timeEl } from '../dom.js';
import { duration, number, percent, truncate } from '../format.js';

/** The Alertmanager fixture line shown in empty states. */
export function curlLine() {
  return `curl -s -X POST ${location.origin}/webhook -H 'Content-Type: application/json' --data-binary @test/fixtures/am-v4-firing.json`;
}

/** The "no alerts yet" block. */
export function noAlerts() {
  return empty(
    'No alerts yet — point Alertmanager at POST /webhook, or send the fixture:',
    'From a checkout of alert-history (use /webhook/proxy to classify and publish too):',
    curlLine(),
  );
}

/** The headline stat cards from /api/dashboard/overview. */
export function statCards(o) {
  const health = o.system_healthy ? 'healthy' : 'degraded';
  return [
    o.total_alerts === 0 ? noAlerts() : null,
    h(
      'div',
      { class: 'stats' },
      stat('Alerts', number(o.total_alerts), { testid: 'overview-total', note: 'distinct alerts recorded' }),
      stat('Firing now', number(o.active_alerts), { testid: 'overview-active', kind: o.active_alerts > 0 ? 'hot' : 'ok' }),
      stat('Resolved', number(o.resolved_alerts)),
      stat('State changes, 24 h', number(o.alerts_last_24h)),
      stat('Classified', number(o.classified_alerts), {
        note: `cache hit rate ${percent(o.classification_cache_hit_rate)}${o.classification_enabled ? '' : ' · rules only'}`,
      }),
      stat('Publishing', `${number(o.successful_publishes)} ok`, {
        note: `${number(o.failed_publishes)} failed · ${number(o.publishing_targets)} target(s) · ${o.publishing_mode}`,
        kind: o.failed_publishes > 0 ? 'warn' : undefined,
      }),
      stat('System', health, {
        kind: o.system_healthy ? 'ok' : 'hot',
        note: `Redis ${o.redis_connected ? 'connected' : 'not connected'} · LLM ${o.llm_service_available ? 'available' : 'unavailable'}`,
      }),
    ),
  ];
}

function classificationLine(c) {
  if (!c) return h('span', { class: 'muted small' }, 'not classified');
  return h(
    'span',
    { class: 'classification-line' },
    badge(c.severity),
    h('span', { class: 'small' }, ` ${percent(c.confidence)} · ${c.source} `),
    c.reasoning ? h('span', { class: 'muted small reasoning' }, truncate(c.reasoning, 160)) : null,
  );
}

/** One item of the recent alerts list (from the API or from a live event). */
export function recentItem(alert, options = {}) {
  const li = h(
    'li',
    { class: `recent-item${options.fresh ? ' fresh' : ''}`, testid: 'recent-alert', dataset: { fingerprint: alert.fingerprint } },
    h(
      'div',
      { class: 'recent-main' },
      badge(alert.status),
      alertLink(alert.fingerprint, alert.alertname),
      h('span', { class: 'silence-slot', dataset: { silenceSlot: '' } }),
      alert.namespace ? h('span', { class: 'muted' }, alert.namespace) : null,
      alert.severity ? h('span', { class: 'muted small' }, `severity=${alert.severity}`) : null,
      h('span', { class: 'spacer' }),
      timeEl(alert.receivedAt, { relativeOnly: true }),
    ),
    h('div', { class: 'recent-meta' }, h('span', { class: 'class-slot' }, classificationLine(alert.classification))),
  );
  return li;
}

/** Replaces the classification shown on every list item of one fingerprint. */
export function updateClassification(list, data) {
  for (const li of list.querySelectorAll('li[data-fingerprint]')) {
    if (li.dataset.fingerprint !== data.fingerprint) continue;
    const slot = li.querySelector('.class-slot');
    if (slot) slot.replaceChildren(classificationLine({ ...data, reasoning: '' }));
  }
}

/** A ranked list of alerts: each links to its page, with its namespace and `meta(a)` after it. */
function rankList(alerts, meta) {
  return h(
    'ol',
    { class: 'rank' },
    alerts.map((a) =>
      h(
        'li',
        {},
        alertLink(a.fingerprint, a.alertname),
        a.namespace ? h('span', { class: 'muted' }, ` ${a.namespace}`) : null,
        h('span', { class: 'rank-meta' }, ...meta(a)),
      ),
    ),
  );
}

/** The top alerts list from /history/top. */
export function topList(data, span) {
  if (!data.alerts.length) return empty(`Nothing fired in the ${span}.`, 'Pick a longer window above, or send alerts to POST /webhook.');
  return rankList(data.alerts, (a) => [
    `fired ${number(a.fire_count)}×${a.avg_duration_seconds === null ? '' : ` · lasts ${duration(a.avg_duration_seconds)} on average`} · last `,
    timeEl(a.last_fired_at, { relativeOnly: true }),
  ]);
}

/** The flapping alerts list from /history/flapping. */
export function flappingList(data, span) {
  if (!data.alerts.length) return empty(`No flapping alerts in the ${span}.`, `An alert flaps when it changes state at least ${data.threshold} times.`);
  return rankList(data.alerts, (a) => [
    `${number(a.transition_count)} changes · ${number(Math.round(a.flapping_score * 10) / 10)}/h · `,
    timeEl(a.last_transition_at, { relativeOnly: true }),
  ]);
}

function componentDetails(details) {
  return Object.entries(details ?? {})
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`)
    .join(' · ');
}

function targetSummary(targets) {
  if (!targets.length)
    return empty('No publishing targets — metrics-only mode.', 'Alerts are recorded and classified; add publishing.targets[] to config.yaml to send them.');
  const byHealth = {};
  for (const t of targets) byHealth[t.health_status] = (byHealth[t.health_status] ?? 0) + 1;
  return h(
    'p',
    { class: 'target-summary' },
    `${targets.length} target(s): `,
    Object.entries(byHealth).map(([k, n]) => [badge(`${n} ${k}`, k), ' ']),
    link('/dashboard/targets', 'Targets →'),
  );
}

/** Component health (/api/dashboard/health) and a summary of the targets. */
export function healthPanel([components, targets]) {
  const list = h(
    'ul',
    { class: 'health-list' },
    components.map((c) =>
      h('li', {}, badge(c.status), h('strong', {}, ` ${c.component}`), h('span', { class: 'muted small' }, ` ${componentDetails(c.details)}`)),
    ),
  );
  return [list, targetSummary(Array.isArray(targets) ? targets : [])];
}

const MODES = [
  ['transparent', 'transparent — no LLM; filters apply'],
  ['enriched', 'enriched — classify, then filter'],
  ['transparent_with_recommendations', 'transparent with recommendations — never filter'],
];

function currentMode(el, mode) {
  el.replaceChildren(h('strong', { testid: 'mode-current' }, mode.mode), h('span', { class: 'muted small' }, ` (stored in ${mode.source})`));
}

async function switchMode({ select, current, note, previous }) {
  const wanted = select.value;
  select.disabled = true;
  note.textContent = 'Saving…';
  try {
    const mode = await post('/enrichment/mode', { mode: wanted });
    currentMode(current, mode);
    select.value = mode.mode;
    previous.value = mode.mode;
    note.textContent = `Switched to ${mode.mode}. Every replica uses it from now on.`;
  } catch (err) {
    select.value = previous.value;
    note.textContent = `Not switched: ${err && err.message ? err.message : String(err)}`;
  } finally {
    select.disabled = false;
  }
}

/** The mode panel: the enrichment mode switch and the publishing mode. */
export function modesPanel([enrichment, publishing]) {
  const select = h(
    'select',
    { id: 'mode-select', class: 'input', testid: 'mode-select' },
    MODES.map(([value, label]) => h('option', { value, selected: value === enrichment.mode }, label)),
  );
  select.value = enrichment.mode;
  const current = h('span', { class: 'mode-current' });
  currentMode(current, enrichment);
  const note = h('p', { class: 'muted small', role: 'status' });
  const previous = { value: enrichment.mode };
  select.addEventListener('change', () => {
    void switchMode({ select, current, note, previous });
  });
  return [
    h('div', { class: 'field' }, h('label', { htmlFor: 'mode-select' }, 'Enrichment mode'), select),
    h('p', {}, 'Current: ', current),
    note,
    h('p', {}, 'Publishing: ', badge(publishing.mode), ' ', h('span', { class: 'muted small' }, publishing.description)),
  ];
}
