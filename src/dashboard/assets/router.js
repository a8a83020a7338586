// Client-side routing with history.pushState: maps the path to a page module, mounts it into the
// outlet, intercepts in-app link clicks (no reload), restores pages on back/forward, and lets a
// page that only changed its query string (history filters, pagination) update in place.

/**
 * Creates the router. `routes` are { name, pattern: RegExp, page, title }; a page is
 * { mount(outlet, ctx) -> { update?(ctx), unmount?() } }.
 */
export function createRouter({ routes, outlet, notFound, onChange, onError, shared = {} }) {
  let current = null;
  let rendered = '';

  function match(pathname) {
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
    for (const route of routes) {
      const m = route.pattern.exec(path);
      if (m) return { route, params: m.slice(1).map(safeDecode) };
    }
    return { route: notFound, params: [] };
  }

  function context(found) {
    return { ...shared, params: found.params, query: new URLSearchParams(location.search), navigate, path: location.pathname };
  }

  function sameTarget(found) {
    return current && current.route === found.route && current.params.join('\u0000') === found.params.join('\u0000');
  }

  function mount(found, ctx) {
    current?.instance?.unmount?.();
    outlet.replaceChildren();
    try {
      return found.route.page.mount(outlet, ctx) ?? {};
    } catch (err) {
      if (onError) onError(err, outlet);
      return {};
    }
  }

  function render({ focus = false } = {}) {
    rendered = location.pathname + location.search;
    const found = match(location.pathname);
    const ctx = context(found);
    if (sameTarget(found) && typeof current.instance.update === 'function') {
      current.instance.update(ctx);
      return;
    }
    const instance = mount(found, ctx);
    current = { route: found.route, params: found.params, instance };
    document.title = `${found.route.title} · alert-history`;
    if (onChange) onChange(found.route);
    if (focus) focusHeading(outlet);
  }

  function navigate(url, { replace = false } = {}) {
    const target = new URL(url, location.href);
    const state = { at: Date.now() };
    if (replace || target.pathname + target.search === rendered) history.replaceState(state, '', target.pathname + target.search + target.hash);
    else history.pushState(state, '', target.pathname + target.search + target.hash);
    const routeChanged = !sameTarget(match(target.pathname));
    render({ focus: routeChanged });
    if (routeChanged) window.scrollTo(0, 0);
  }

  function onClick(event) {
    if (isModified(event)) return;
    const a = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
    if (!a || a.target === '_blank') return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.href);
  }

  function start() {
    document.addEventListener('click', onClick);
    window.addEventListener('popstate', () => {
      if (location.pathname + location.search === rendered) return; // a #fragment jump
      render({ focus: !sameTarget(match(location.pathname)) });
    });
    render();
  }

  return { start, navigate };
}

function isModified(event) {
  return event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
}

function safeDecode(part) {
  try {
    return decodeURIComponent(part ?? '');
  } catch {
    return part ?? '';
  }
}

function focusHeading(outlet) {
  const heading = outlet.querySelector('h1');
  if (!heading) return;
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}
