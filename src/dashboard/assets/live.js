// Live updates over Server-Sent Events (GET /api/v2/events/stream): one EventSource for the whole
// app, named events dispatched to the pages that subscribe, and the connection state shown in the
// header (live / connecting / reconnecting / offline). The browser reconnects by itself with
// Last-Event-ID; when it gives up (the stream answered with an error), we reopen it with backoff,
// passing the last id in the query string, and tell pages to resync.
//
// EventSource cannot send the Authorization header, so with an API token in this tab every
// (re)connect first trades it for a short-lived, single-use ticket (POST /api/v2/events/ticket)
// that goes in the stream URL; the long-lived token never appears in a URL. A ticket is used once,
// so a stream opened with one is never left to the browser's own reconnect: we reopen it with a
// fresh ticket.
import { getToken, post } from './api.js';

const EVENT_TYPES = ['alert_created', 'alert_resolved', 'classification', 'delivery', 'target_changed', 'stats_updated'];
const LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', unsupported: 'No live updates' };

/** Creates the live event hub; call start() once. */
export function createLive({ url = '/api/v2/events/stream', ticketUrl = '/api/v2/events/ticket', statusEl } = {}) {
  const listeners = new Map();
  let source = null;
  let lastId = '';
  let state = 'connecting';
  let wasLive = false;
  let retryMs = 3000;
  let retryTimer = 0;
  let withTicket = false;

  function emit(type, data) {
    for (const fn of listeners.get(type) ?? []) {
      try {
        fn(data);
      } catch (err) {
        reportError(err);
      }
    }
  }

  function setState(next, note = '') {
    state = next;
    if (!statusEl) return;
    statusEl.dataset.state = next;
    statusEl.textContent = note ? `${LABELS[next]} ${note}` : LABELS[next];
    statusEl.title = next === 'live' ? 'Receiving live updates from the service' : 'Live updates are paused; the page still works and reconnects by itself';
  }

  function onMessage(type, event) {
    if (event.lastEventId) lastId = event.lastEventId;
    let data;
    try {
      data = event.data ? JSON.parse(event.data) : {};
    } catch {
      return;
    }
    emit(type, data);
  }

  function onOpen() {
    retryMs = 3000;
    if (wasLive) emit('resync', {});
    wasLive = true;
    setState('live');
  }

  function retryLater() {
    const seconds = Math.round(retryMs / 1000);
    setState('offline', `— retrying in ${seconds} s`);
    retryTimer = window.setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  function onError() {
    if (!source) return;
    if (source.readyState === EventSource.CONNECTING && !withTicket) {
      setState('reconnecting');
      return;
    }
    source.close();
    source = null;
    if (withTicket && wasLive && state === 'live') {
      // The ticket is spent: reconnect at once with a new one rather than let the browser retry.
      void connect();
      return;
    }
    retryLater();
  }

  /** A fresh stream ticket when this tab has an API token, else '' (reads are open). */
  async function ticket() {
    if (!getToken()) return '';
    const body = await post(ticketUrl);
    return body && typeof body.ticket === 'string' ? body.ticket : '';
  }

  function streamUrl(streamTicket) {
    const params = new URLSearchParams();
    if (lastId) params.set('lastEventId', lastId);
    if (streamTicket) params.set('ticket', streamTicket);
    const qs = params.toString();
    return qs ? `${url}?${qs}` : url;
  }

  async function connect() {
    window.clearTimeout(retryTimer);
    setState(wasLive ? 'reconnecting' : 'connecting');
    let streamTicket;
    try {
      streamTicket = await ticket();
    } catch {
      retryLater();
      return;
    }
    withTicket = Boolean(streamTicket);
    source = new EventSource(streamUrl(streamTicket));
    source.addEventListener('open', onOpen);
    source.addEventListener('error', onError);
    for (const type of EVENT_TYPES) source.addEventListener(type, (e) => onMessage(type, e));
  }

  return {
    /** Opens the stream (once). */
    start() {
      if (typeof EventSource === 'undefined') {
        setState('unsupported');
        return;
      }
      if (!source) void connect();
    },
    /** Subscribes to one event type (or 'resync'); returns the unsubscribe function. */
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type).add(fn);
      return () => listeners.get(type)?.delete(fn);
    },
    /** The connection state. */
    get state() {
      return state;
    },
  };
}

/** Surfaces an error from a page's live handler without breaking the stream. */
function reportError(err) {
  window.dispatchEvent(new CustomEvent('dashboard-error', { detail: err }));
}

/** Calls `fn` once, `ms` after the first of a burst of calls (never starved by a steady stream). */
export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    if (timer) return;
    timer = window.setTimeout(() => {
      timer = 0;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    window.clearTimeout(timer);
    timer = 0;
  };
  return wrapped;
}
