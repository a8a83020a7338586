// Outbox rows (GET /publishing/deliveries) as tables, shared by the alert page (deliveries per
// target) and the targets page (dead letters), with the Retry button for dead-lettered rows.
// Targets show as namespace/name (their key; config.yaml targets by bare name).
import { post } from '../api.js';
import { alertLink, badge, h, table, timeEl } from '../dom.js';
import { number, truncate } from '../format.js';

/** A target key as namespace (muted) and name; a bare name as is. */
export function targetLabel(key) {
  const slash = key.indexOf('/');
  if (slash < 0) return key;
  return h('span', { class: 'target-key', title: key }, h('span', { class: 'muted' }, key.slice(0, slash + 1)), key.slice(slash + 1));
}

/** A Retry button for a dead-lettered delivery; `onDone` runs after a successful re-queue. */
export function retryButton(delivery, onDone) {
  const note = h('span', { class: 'small muted', role: 'status' });
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-small', testid: 'retry-delivery', 'aria-label': `Retry delivery ${delivery.id} to ${delivery.target}` },
    'Retry',
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.textContent = ' re-queuing…';
    try {
      const res = await post(`/publishing/deliveries/${encodeURIComponent(String(delivery.id))}/retry`);
      button.textContent = 'Re-queued';
      note.textContent = ` ${res && res.message ? res.message : 'pending again'}`;
      if (onDone) onDone(res);
    } catch (err) {
      button.disabled = false;
      note.textContent = ` ${err && err.message ? err.message : String(err)}`;
    }
  });
  return h('span', { class: 'retry' }, button, note);
}

function problem(d) {
  if (d.filter_reason) return h('span', { class: 'muted' }, `filtered: ${d.filter_reason}`);
  if (!d.last_error) return '—';
  const reason = d.last_error_reason ? `${d.last_error_reason}: ` : '';
  return h('span', { title: d.last_error }, truncate(`${reason}${d.last_error}`, 120));
}

function deliveryRow(d, options) {
  return h(
    'tr',
    { testid: options.rowTestid ?? 'delivery-row', dataset: { id: String(d.id) } },
    options.showTarget ? h('td', { class: 'nowrap', testid: 'delivery-target' }, targetLabel(d.target)) : null,
    options.showAlert ? h('td', {}, alertLink(d.fingerprint, d.alertname)) : null,
    h('td', {}, badge(d.state), ' ', h('span', { class: 'muted small' }, d.alert_status)),
    h('td', { class: 'num' }, number(d.attempts)),
    h('td', { class: 'num' }, d.last_status_code ?? '—'),
    h('td', {}, problem(d)),
    h('td', {}, timeEl(d.updated_at, { relativeOnly: true })),
    h('td', {}, d.state === 'dead' ? retryButton(d, options.onRetried) : d.delivered_at ? timeEl(d.delivered_at, { relativeOnly: true }) : ''),
  );
}

/** A table of deliveries; options: showTarget, showAlert, rowTestid, onRetried, testid. */
export function deliveryTable(deliveries, options = {}) {
  const headers = [
    options.showTarget ? 'Target' : null,
    options.showAlert ? 'Alert' : null,
    'State',
    'Attempts',
    'Last code',
    'Last error',
    'Updated',
    'Delivered / action',
  ].filter(Boolean);
  return table(
    headers,
    deliveries.map((d) => deliveryRow(d, options)),
    { class: 'data-table', testid: options.testid },
  );
}

/** Counts of deliveries by state, as badges. */
export function stateCounts(deliveries) {
  const counts = {};
  for (const d of deliveries) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return Object.entries(counts).map(([state, n]) => [badge(`${n} ${state}`, state), ' ']);
}
