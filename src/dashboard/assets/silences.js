// Silences on the dashboard: the "Silence" dialog (matchers from the alert's labels, each one can
// be unticked or turned into !=, =~ or !~ and edited; a duration, a comment and an author, the
// author remembered in localStorage), the alert page's panel (active silences matching the alert,
// each expired with one click, and the history of who silenced it), and the "silenced" marks and
// Silence buttons of alert lists. Everything hides when the service has no silences.url.
import { get, post } from './api.js';
import { badge, empty, errorBox, fill, h, isAbort, loading, timeEl } from './dom.js';

const AUTHOR_KEY = 'alert-history.silence-author';
const DURATIONS = ['30m', '1h', '2h', '4h', '8h', '1d', '3d', '7d'];
const OPS = { '=': [false, true], '!=': [false, false], '=~': [true, true], '!~': [true, false] };

let statusPromise = null;

/** GET /silences/status once per page load; a failure reads as "off". */
export function silencesStatus() {
  statusPromise ??= get('/silences/status').catch(() => ({ enabled: false }));
  return statusPromise;
}

function rememberedAuthor() {
  try {
    return localStorage.getItem(AUTHOR_KEY) ?? '';
  } catch {
    return '';
  }
}

function rememberAuthor(author) {
  try {
    localStorage.setItem(AUTHOR_KEY, author);
  } catch {
    // storage disabled: the author is typed again next time
  }
}

/** `value` as an RE2 pattern matching exactly it. */
export function escapeRegex(value) {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A matcher as Alertmanager prints it: name="value", name=~"regex". */
export function matcherText(m) {
  const op = `${m.isEqual ? '=' : '!'}${m.isRegex ? '~' : m.isEqual ? '' : '='}`;
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

function matcherRow(name, value) {
  const include = h('input', { type: 'checkbox', checked: true, testid: 'silence-matcher-include', 'aria-label': `Match on ${name}` });
  const op = h(
    'select',
    { class: 'input', testid: 'silence-matcher-op', 'aria-label': `Operator for ${name}` },
    Object.keys(OPS).map((o) => h('option', { value: o }, o)),
  );
  const input = h('input', {
    class: 'input',
    value,
    testid: 'silence-matcher-value',
    'aria-label': `Value for ${name}`,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const problem = h('span', { class: 'field-problem small', role: 'alert' });
  // Turning a label's exact value into a regex escapes it, so it still matches that value alone.
  op.addEventListener('change', () => {
    const regex = OPS[op.value][0];
    if (regex && input.value === value) input.value = escapeRegex(value);
    else if (!regex && input.value === escapeRegex(value)) input.value = value;
  });
  const el = h(
    'tr',
    { testid: 'silence-matcher', dataset: { name } },
    h('td', {}, include),
    h('td', {}, h('code', {}, name)),
    h('td', {}, op),
    h('td', {}, input, problem),
  );
  const read = () => {
    const [isRegex, isEqual] = OPS[op.value];
    return { name, value: input.value, isRegex, isEqual };
  };
  const flag = (message) => {
    problem.textContent = message ?? '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { el, included: () => include.checked, read, flag };
}

function field(label, control) {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

function showProblems(err, rows, box) {
  rows.forEach((r) => r.flag(null));
  const fields = (err.details && err.details.fields) || [];
  for (const f of fields) {
    const m = /^matchers\[(\d+)\]/.exec(f.path);
    if (m && rows[Number(m[1])]) rows[Number(m[1])].flag(f.message);
  }
  fill(box, err.message);
  box.hidden = false;
}

function dialogParts(labels) {
  const rows = Object.keys(labels)
    .filter((k) => labels[k] !== '')
    .sort()
    .map((k) => matcherRow(k, labels[k]));
  const duration = h(
    'select',
    { class: 'input', testid: 'silence-duration' },
    DURATIONS.map((d) => h('option', { value: d, selected: d === '2h' }, d)),
  );
  const comment = h('textarea', { class: 'input', rows: 2, required: true, testid: 'silence-comment', placeholder: 'Why (a ticket, a deploy…)' });
  const author = h('input', { class: 'input', required: true, value: rememberedAuthor(), testid: 'silence-author', autocomplete: 'name' });
  const problem = h('p', { class: 'state state-error small', role: 'alert', hidden: true, testid: 'silence-error' });
  return { rows, duration, comment, author, problem };
}

/** Opens the Silence dialog for an alert; `onCreated(result)` after Alertmanager took the silence. */
export function openSilenceDialog({ fingerprint, labels, onCreated }) {
  const p = dialogParts(labels);
  const dialog = h('dialog', { class: 'dialog dialog-wide', testid: 'silence-dialog', 'aria-labelledby': 'silence-title' });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'silence-submit' }, 'Create silence');
  async function onSubmit(e) {
    e.preventDefault();
    const included = p.rows.filter((r) => r.included());
    const body = { matchers: included.map((r) => r.read()), duration: p.duration.value, comment: p.comment.value, author: p.author.value, fingerprint };
    submit.disabled = true;
    try {
      const result = await post('/silences', body);
      rememberAuthor(p.author.value.trim());
      close();
      onCreated?.(result);
    } catch (err) {
      showProblems(err, included, p.problem);
    } finally {
      submit.disabled = false;
    }
  }
  const matchers = h(
    'table',
    { class: 'data-table matcher-table' },
    h(
      'tbody',
      {},
      p.rows.map((r) => r.el),
    ),
  );
  const actions = h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', on: { click: close } }, 'Cancel'), submit);
  const form = h('form', { on: { submit: (e) => void onSubmit(e) } }, h('h2', { id: 'silence-title' }, 'Silence in Alertmanager'));
  form.append(h('p', { class: 'muted small' }, 'Untick labels to widen the silence; =~ and !~ take RE2 regexes matched on the whole value.'));
  form.append(matchers, field('Duration', p.duration), field('Comment', p.comment), field('Author', p.author), p.problem, actions);
  dialog.append(form);
  dialog.addEventListener('cancel', close);
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** A "Silence" button opening the dialog. */
export function silenceButton({ fingerprint, labels, onCreated }) {
  return h(
    'button',
    { type: 'button', class: 'btn btn-small', testid: 'silence-open', on: { click: () => openSilenceDialog({ fingerprint, labels, onCreated }) } },
    'Silence',
  );
}

function silenceItem(s, onExpire) {
  const expire = h('button', { type: 'button', class: 'btn btn-small', testid: 'silence-expire', on: { click: () => void onExpire(s, expire) } }, 'Expire');
  return h(
    'li',
    { class: 'silence', testid: 'active-silence', dataset: { silenceId: s.id } },
    h(
      'div',
      {},
      badge(s.status.state, s.status.state === 'active' ? 'silenced' : 'pending'),
      ' ',
      s.matchers.map((m) => [h('code', {}, matcherText(m)), ' ']),
    ),
    h('div', { class: 'muted small' }, 'until ', timeEl(s.endsAt), ` · by ${s.createdBy} · ${s.comment}`),
    expire,
  );
}

function historyItem(a) {
  const what = a.action === 'create' ? 'silenced' : 'expired the silence';
  return h(
    'li',
    { testid: 'silence-action' },
    h('div', {}, h('strong', {}, a.author), ` ${what} `, timeEl(a.created_at)),
    h(
      'div',
      { class: 'muted small' },
      a.matchers.map((m) => [h('code', {}, matcherText(m)), ' ']),
      a.comment ? `· ${a.comment}` : '',
    ),
  );
}

/** The alert page's panel: Silence button, the live silences matching the alert, and the history. */
export function silencesPanel({ fingerprint, labels, signal, onChange }) {
  const root = h('div', { testid: 'alert-silences' }, loading());
  const list = h('div', {});
  const history = h('div', {});
  async function expire(silence, button) {
    button.disabled = true;
    try {
      await post(`/silences/${encodeURIComponent(silence.id)}/expire`, { author: rememberedAuthor() || 'dashboard', fingerprint });
    } catch (err) {
      fill(
        list,
        errorBox(err, () => void reload()),
      );
      return;
    }
    void reload();
  }
  async function reload() {
    try {
      const [matching, actions] = await Promise.all([
        get('/silences', { fingerprint }, { signal }),
        get('/silences/actions', { fingerprint, limit: 50 }, { signal }),
      ]);
      const items = matching.silences.map((s) => silenceItem(s, expire));
      fill(
        list,
        items.length ? h('ul', { class: 'silences' }, items) : h('p', { class: 'muted', testid: 'no-silences' }, 'No active silence matches this alert.'),
      );
      fill(history, actions.actions.length ? h('ol', { class: 'events', testid: 'silence-history' }, actions.actions.map(historyItem)) : null);
      onChange?.(matching.silences);
    } catch (err) {
      if (!isAbort(err))
        fill(
          list,
          errorBox(err, () => void reload()),
        );
    }
  }
  void silencesStatus().then((status) => {
    if (!status.enabled) {
      fill(root, empty('Silences are off.', 'Set silences.url (SILENCES_ALERTMANAGER_URL) to the Alertmanager to silence alerts from here.'));
      return;
    }
    fill(root, silenceButton({ fingerprint, labels, onCreated: () => void reload() }), list, h('h3', { class: 'sub' }, 'Silence history'), history);
    void reload();
  });
  return { el: root, reload };
}

/** Marks silenced alerts and adds Silence buttons in a list: rows are [data-fingerprint] elements holding a [data-silence-slot]. */
export async function decorateAlertRows(container, labelsOf) {
  const status = await silencesStatus();
  if (!status.enabled) return;
  const rows = [...container.querySelectorAll('[data-fingerprint]')];
  const fingerprints = [...new Set(rows.map((r) => r.dataset.fingerprint))];
  if (!fingerprints.length) return;
  let silenced = {};
  try {
    silenced = (await get('/silences/marks', { fingerprint: fingerprints.slice(0, 500) })).silenced;
  } catch {
    // marks are a hint: the list stays usable without them
  }
  for (const row of rows) {
    const slot = row.querySelector('[data-silence-slot]');
    if (!slot) continue;
    const fp = row.dataset.fingerprint;
    const ids = silenced[fp] ?? [];
    const mark = ids.length ? h('span', { class: 'badge badge-silenced', testid: 'silenced-mark', title: `Silenced by ${ids.join(', ')}` }, 'silenced') : null;
    const labels = labelsOf(fp);
    const button = labels ? silenceButton({ fingerprint: fp, labels, onCreated: () => void decorateAlertRows(container, labelsOf) }) : null;
    fill(slot, mark, ' ', button);
  }
}
