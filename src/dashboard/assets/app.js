// The dashboard's entry point: the route table (one page module per route), the top navigation
// state, the live-update hub with its header status, the API token button, a ticker that keeps
// relative ages fresh, and a last-resort error toast so nothing fails silently.
import { askToken, getToken } from './api.js';
import { empty, fill, h, errorBox, link, refreshRelativeTimes } from './dom.js';
import { createLive } from './live.js';
import { createRouter } from './router.js';
import * as alertPage from './pages/alert.js';
import * as historyPage from './pages/history.js';
import * as llmPage from './pages/llm.js';
import * as overviewPage from './pages/overview.js';
import * as targetsPage from './pages/targets.js';

const notFoundPage = {
  mount(outlet) {
    fill(
      outlet,
      h('div', { class: 'page-head' }, h('h1', {}, 'Page not found')),
      empty('There is no dashboard page at this address.', null),
      h('p', {}, link('/dashboard', 'Go to the overview')),
    );
  },
};

const ROUTES = [
  { name: 'overview', title: 'Overview', pattern: /^\/(?:dashboard)?$/, page: overviewPage },
  { name: 'history', title: 'History', pattern: /^\/dashboard\/history$/, page: historyPage },
  { name: 'history', title: 'Alert', pattern: /^\/dashboard\/alerts\/([^/]+)$/, page: alertPage },
  { name: 'targets', title: 'Targets', pattern: /^\/dashboard\/(?:targets|publishing)$/, page: targetsPage },
  { name: 'llm', title: 'LLM', pattern: /^\/dashboard\/llm-metrics$/, page: llmPage },
];

let toastTimer = 0;

function toast(message) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    el.hidden = true;
  }, 8000);
}

function markNav(route) {
  for (const a of document.querySelectorAll('nav.top a[data-route]')) {
    if (a.dataset.route === route.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function tokenButton() {
  const button = document.getElementById('token-button');
  if (!button) return;
  const label = () => {
    button.textContent = getToken() ? 'API token ✓' : 'API token';
  };
  label();
  button.addEventListener('click', async () => {
    await askToken({ force: true });
    label();
  });
}

function start() {
  const outlet = document.getElementById('main');
  if (!outlet) return;
  const live = createLive({ statusEl: document.getElementById('live-status') });
  const router = createRouter({
    routes: ROUTES,
    outlet,
    notFound: { name: 'none', title: 'Not found', page: notFoundPage },
    onChange: markNav,
    onError: (err, el) =>
      fill(
        el,
        errorBox(err, () => location.reload()),
      ),
    shared: { live },
  });
  window.addEventListener('dashboard-error', (e) => toast(`Something went wrong: ${e.detail && e.detail.message ? e.detail.message : e.detail}`));
  window.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    toast(`Something went wrong: ${e.reason && e.reason.message ? e.reason.message : String(e.reason)}`);
  });
  tokenButton();
  router.start();
  live.start();
  window.setInterval(() => refreshRelativeTimes(), 30000);
}

start();
