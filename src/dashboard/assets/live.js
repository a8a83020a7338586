// Live updates over Server-Sent Events (GET /api/v2/events/stream): one EventSource for the whole
// app, named events dispatched to the pages that subscribe, and the connection state shown in the
// header (live / connecting / reconnecting / offline). The browser reconnects by itself with
// Last-Event-ID; when it gives up (the stream answered with an error), we reopen it with backoff,
// passing the last id in the query string, and tell pages to resync.

const EVENT_TYPES = ['alert_created', 'alert_resolved', 'classification', 'delivery', 'target_changed', 'stats_updated'];
const LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', unsupported: 'No live updates' };

/** Creates the live event hub; call start() once. */
export function createLive({ url = '/api/v2/events/stream', statusEl } = {}) {
  const listeners = new Map();
  let source = null;
  let lastId = '';
  let state = 'connecting';
  let wasLive = false;
  let retryMs = 3000;
  let retryTimer = 0;

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

  function onError() {
    if (!source) return;
    if (source.readyState === EventSource.CONNECTING) {
      setState('reconnecting');
      return;
    }
    source.close();
    source = null;
    const seconds = Math.round(retryMs / 1000);
    setState('offline', `— retrying in ${seconds} s`);
    retryTimer = window.setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  function connect() {
    window.clearTimeout(retryTimer);
    const target = lastId ? `${url}?lastEventId=${encodeURIComponent(lastId)}` : url;
    setState(wasLive ? 'reconnecting' : 'connecting');
    source = new EventSource(target);
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
      if (!source) connect();
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
