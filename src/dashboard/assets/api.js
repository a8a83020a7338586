// The dashboard's HTTP client: same-origin JSON reads and writes, the error envelope turned into
// an ApiError whose message is the envelope's `error`, and the API token: on a 401 it asks once
// (a small dialog), keeps the token in sessionStorage and sends `Authorization: Bearer <token>`.
import { h } from './dom.js';

const TOKEN_KEY = 'alert-history.api-token';

/** An error from the service (or from reaching it), with the envelope's fields. */
export class ApiError extends Error {
  constructor(message, options = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = options.status ?? 0;
    this.code = options.code ?? '';
    this.requestId = options.requestId ?? '';
    this.details = options.details ?? {};
  }
}

/** The API token of this browser session, or ''. */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Stores (or with '' forgets) the API token for this browser session. */
export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives until the next 401
  }
}

let pendingPrompt = null;
let declined = false;

function buildDialog(resolve) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, id: 'token-input', class: 'input' });
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'token-title' });
  const finish = (value) => {
    dialog.close();
    dialog.remove();
    resolve(value);
  };
  const form = h(
    'form',
    {
      method: 'dialog',
      on: {
        submit: (e) => {
          e.preventDefault();
          finish(input.value.trim());
        },
      },
    },
    h('h2', { id: 'token-title' }, 'API token needed'),
    h('p', { class: 'muted' }, 'This service requires an API token (API_TOKENS). It is kept in this tab only (sessionStorage).'),
    h('label', { htmlFor: 'token-input' }, 'Token'),
    input,
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn', on: { click: () => finish('') } }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Use token'),
    ),
  );
  dialog.append(form);
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    finish('');
  });
  return { dialog, input };
}

/** Asks for the API token (one dialog at a time); resolves with the token or ''. */
export function askToken({ force = false } = {}) {
  if (declined && !force) return Promise.resolve('');
  pendingPrompt ??= new Promise((resolve) => {
    const { dialog, input } = buildDialog(resolve);
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  }).then((token) => {
    pendingPrompt = null;
    declined = !token;
    if (token) setToken(token);
    return token;
  });
  return pendingPrompt;
}

function buildUrl(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    values.filter((v) => v !== undefined && v !== null && v !== '').forEach((v) => params.append(key, String(v)));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(res, body) {
  const envelope = body && typeof body === 'object' ? body : {};
  const message = envelope.error || envelope.detail || `${res.status} ${res.statusText || 'error'}`.trim();
  return new ApiError(message, {
    status: res.status,
    code: envelope.code,
    requestId: envelope.request_id ?? res.headers.get('x-request-id'),
    details: envelope.details,
  });
}

async function send(method, url, options) {
  const headers = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const init = { method, headers, signal: options.signal, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the service (${err && err.message ? err.message : 'network error'}). Is it running?`);
  }
}

/** Sends a request; resolves with the parsed JSON body, rejects with an ApiError. */
export async function request(method, path, options = {}) {
  const url = buildUrl(path, options.query);
  let res = await send(method, url, options);
  if (res.status === 401) {
    const hadToken = Boolean(getToken());
    if (hadToken) setToken('');
    const token = await askToken({ force: hadToken });
    if (token) res = await send(method, url, options);
  }
  const body = await readBody(res);
  if (!res.ok) throw toError(res, body);
  return body;
}

/** GET with query parameters (arrays become repeated parameters). */
export function get(path, query, options = {}) {
  return request('GET', path, { ...options, query });
}

/** POST with a JSON body (or none). */
export function post(path, body, options = {}) {
  return request('POST', path, { ...options, body });
}
