// DOM helpers for the dashboard: build elements with createElement and textContent only (alert
// labels are attacker-controlled, so no API data ever goes through innerHTML), plus the shared
// loading, empty and error blocks, badges, cards and times with live relative ages.
import { dateTime, relative } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Keys set as DOM properties; every other key becomes an attribute. */
const PROPERTIES = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'htmlFor', 'required', 'open']);

function setProp(el, key, value) {
  if (value === null || value === undefined || value === false) return;
  if (key === 'text') el.textContent = String(value);
  else if (key === 'testid') el.dataset.testid = value;
  else if (key === 'dataset') Object.assign(el.dataset, value);
  else if (key === 'on') Object.entries(value).forEach(([type, fn]) => el.addEventListener(type, fn));
  else if (PROPERTIES.has(key)) el[key] = value;
  else el.setAttribute(key, value === true ? '' : String(value));
}

/** Creates an HTML element: h('a', { href, class, testid, on: { click } }, ...children). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) setProp(el, key, value);
  append(el, children);
  return el;
}

/** Creates an SVG element with attributes. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An in-app link (the router handles it without a reload). */
export function link(href, ...children) {
  return h('a', { href, 'data-link': '' }, ...children);
}

/** A link to an alert's page. */
export function alertLink(fingerprint, text) {
  return link(`/dashboard/alerts/${encodeURIComponent(fingerprint)}`, text ?? fingerprint);
}

/** A small coloured label: badge('critical') or badge('ok', 'healthy'). */
export function badge(text, kind) {
  const value = String(text ?? '—');
  const cls = String(kind ?? value)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  return h('span', { class: `badge badge-${cls}` }, value);
}

/** A <time> showing the local date and time with its relative age (kept fresh by app.js). */
export function timeEl(iso, options = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const el = h('time', { dateTime: iso, title: dateTime(iso), class: 'when' });
  if (options.relativeOnly) {
    el.dataset.rel = 'only';
    el.textContent = relative(iso);
    return el;
  }
  el.dataset.rel = 'both';
  fill(el, dateTime(iso), ' ', h('span', { class: 'rel' }, `(${relative(iso)})`));
  return el;
}

/** Refreshes every relative age on the page. */
export function refreshRelativeTimes(root = document) {
  for (const el of root.querySelectorAll('time[data-rel]')) {
    const iso = el.getAttribute('datetime');
    if (el.dataset.rel === 'only') el.textContent = relative(iso);
    else {
      const rel = el.querySelector('.rel');
      if (rel) rel.textContent = `(${relative(iso)})`;
    }
  }
}

/** A titled card section. */
export function card(title, props = {}, ...children) {
  const heading = title ? h('h2', { class: 'card-title' }, title) : null;
  return h('section', { ...props, class: `card ${props.class ?? ''}`.trim() }, heading, ...children);
}

/** A loading placeholder. */
export function loading(what = 'Loading…') {
  return h('p', { class: 'state state-loading', role: 'status' }, what);
}

/** An empty state that says what to do: a title, a hint and an optional command to copy. */
export function empty(title, hint, command) {
  return h(
    'div',
    { class: 'state state-empty' },
    h('p', { class: 'state-title' }, title),
    hint ? h('p', { class: 'muted' }, hint) : null,
    command ? h('pre', { class: 'command' }, h('code', {}, command)) : null,
  );
}

/** An error block with the server's message and a Retry button. */
export function errorBox(err, retry) {
  const message = err && err.message ? err.message : String(err);
  const requestId = err && err.requestId ? h('p', { class: 'muted small' }, `request id ${err.requestId}`) : null;
  const button = retry ? h('button', { type: 'button', class: 'btn', on: { click: retry } }, 'Retry') : null;
  return h(
    'div',
    { class: 'state state-error', role: 'alert' },
    h('p', { class: 'state-title' }, 'Could not load this'),
    h('p', {}, message),
    requestId,
    button,
  );
}

/** A stat card: a label, a big value and an optional note. */
export function stat(label, value, options = {}) {
  return h(
    'div',
    { class: `stat ${options.kind ? `stat-${options.kind}` : ''}`.trim() },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value', testid: options.testid }, value),
    options.note ? h('div', { class: 'stat-note muted' }, options.note) : null,
  );
}

/** A table with a header row; rows are <tr> elements built by the caller. */
export function table(headers, rows, props = {}) {
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      headers.map((t) => h('th', { scope: 'col' }, t)),
    ),
  );
  return h('div', { class: 'table-wrap' }, h('table', props, head, h('tbody', {}, rows)));
}

/** Labels as small key=value chips. */
export function labelChips(labels, skip = []) {
  const entries = Object.entries(labels ?? {}).filter(([k]) => !skip.includes(k));
  return h(
    'span',
    { class: 'chips' },
    entries.map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`)),
  );
}

/** A link to an external http(s) URL, or plain text when the URL is anything else. */
export function externalLink(url, text) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      return h('a', { href: parsed.href, rel: 'noopener noreferrer', target: '_blank' }, text ?? parsed.href);
    }
  } catch {
    // not a URL: shown as text below
  }
  return h('span', {}, text ?? String(url ?? ''));
}

/** True when an error is a fetch aborted because the page changed. */
export function isAbort(err) {
  return err instanceof DOMException && err.name === 'AbortError';
}

/**
 * Loads data into a container: a loading line first (unless `quiet`, which keeps the old content
 * until the new one arrives), then `render(data)`, or an error block with Retry. Never rejects.
 */
export async function loadInto(el, { fetch: fetcher, render, signal, quiet = false }) {
  if (!quiet) fill(el, loading());
  try {
    const data = await fetcher();
    if (signal && signal.aborted) return;
    fill(el, render(data));
  } catch (err) {
    if (isAbort(err) || (signal && signal.aborted)) return;
    fill(
      el,
      errorBox(err, () => loadInto(el, { fetch: fetcher, render, signal })),
    );
  }
}
