// The lifecycle card of the alert page (GET /history/<fingerprint>/lifecycle): state changes and
// what Alertmanager's event recorder saw (grouped into which group, notified via which
// receiver/integration and why, silenced by which silence and by whom, inhibited by which
// alerts), oldest first. Shown only when the recorder sent something about the alert.
import { get } from '../api.js';
import { alertLink, badge, empty, h, loadInto, timeEl } from '../dom.js';

const TITLES = {
  firing: 'Firing',
  resolved: 'Resolved',
  alertGrouped: 'Grouped',
  notification: 'Notified',
  silenceMutedAlert: 'Silenced',
  inhibitionMutedAlert: 'Inhibited',
  alertmanagerStartupEvent: 'Alertmanager started',
  alertmanagerShutdownEvent: 'Alertmanager stopped',
  silenceCreated: 'Silence created',
  silenceUpdated: 'Silence updated',
};

function groupText(e) {
  const labels = Object.entries(e.details.groupLabels ?? {}).map(([k, v]) => `${k}="${v}"`);
  return [e.receiver ? `receiver ${e.receiver}` : null, labels.length ? `group {${labels.join(', ')}}` : e.group_key ? `group ${e.group_key}` : null];
}

function silenceText(e) {
  const s = e.details.silence ?? {};
  return [
    `silence ${e.silence_id ?? '?'}`,
    s.createdBy ? `by ${s.createdBy}` : null,
    s.comment ? `“${s.comment}”` : null,
    (s.matchers ?? []).length ? `matching ${s.matchers.join(', ')}` : null,
  ];
}

function inhibitText(e) {
  const by = e.details.inhibitingFingerprints ?? [];
  return [by.length ? ['by ', ...by.flatMap((fp, i) => [i ? ', ' : '', alertLink(fp, fp)])] : 'by an inhibition rule'];
}

const DESCRIBE = {
  alertGrouped: groupText,
  notification: (e) => [`via ${e.receiver ?? '?'} / ${e.integration ?? '?'}`, e.reason ? `reason: ${e.reason}` : null],
  silenceMutedAlert: silenceText,
  inhibitionMutedAlert: inhibitText,
};

function describe(e) {
  if (e.type === 'state') return [e.source ? `reported by ${e.source}` : null, e.receiver ? `via ${e.receiver}` : null];
  return [...(DESCRIBE[e.kind]?.(e) ?? []), e.instance ? `on ${e.instance}` : null];
}

/** The entry's title: an update of a grouped alert (its resolve) and the alert's state in a notification say so. */
function titleOf(e) {
  if (e.kind === 'alertGrouped' && e.details.resolved) return 'Group updated: resolved';
  if (e.kind === 'notification' && e.details.status) return `Notified (${e.details.status})`;
  return TITLES[e.kind] ?? e.kind;
}

function entryItem(e) {
  const parts = describe(e).filter((p) => p !== null && p !== '');
  const repeats = e.repeats > 1 ? [` · ${e.repeats} times, last `, timeEl(e.last_at)] : [];
  const cls = e.kind === 'firing' ? 'event-firing' : e.type === 'state' ? 'event-resolved' : `event-${e.kind}`;
  return h(
    'li',
    { class: `event ${cls}`, 'data-kind': e.kind },
    h('div', {}, e.type === 'state' ? badge(e.kind) : h('strong', {}, titleOf(e)), ' ', timeEl(e.at)),
    h(
      'div',
      { class: 'muted small' },
      parts.flatMap((p, i) => [i ? ' · ' : '', p]),
      repeats,
    ),
  );
}

function lifecycleBlock(data) {
  if (!data.entries.some((e) => e.type === 'recorder'))
    return empty(
      'No event-recorder events for this alert.',
      "Point Alertmanager's event_recorder webhook output at POST /events/alertmanager to see grouping, notifications, silences and inhibitions here.",
    );
  return [
    data.truncated ? h('p', { class: 'muted small' }, `The latest ${data.count} entries.`) : null,
    h('ol', { class: 'events', testid: 'alert-lifecycle' }, data.entries.map(entryItem)),
  ];
}

/** Loads the lifecycle of `fingerprint` into `el` (404: nothing recorded yet). */
export function loadLifecycle(el, { fingerprint, signal, quiet }) {
  return loadInto(el, {
    signal,
    quiet,
    fetch: async () => {
      try {
        return await get(`/history/${encodeURIComponent(fingerprint)}/lifecycle`, { limit: 500 }, { signal });
      } catch (err) {
        if (err && err.status === 404) return { entries: [], count: 0, truncated: false };
        throw err;
      }
    },
    render: lifecycleBlock,
  });
}
