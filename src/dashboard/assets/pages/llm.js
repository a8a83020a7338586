// The LLM page (/dashboard/llm-metrics): classification numbers from GET /classification/stats
// (cache hit rate, LLM usage, rules fallback rate, error rate, latency, circuit breaker state, and
// disagreements when the service reports them), the active model, severities, and the
// classification_* numbers of the overview. Classification events refresh it.
import { get } from '../api.js';
import { barList } from '../charts.js';
import { badge, card, empty, fill, h, loadInto, stat } from '../dom.js';
import { millis, number, percent } from '../format.js';
import { debounce } from '../live.js';

const BREAKER_NOTES = {
  closed: 'closed — LLM calls go through',
  open: 'open — the LLM is skipped; rules classify until a probe succeeds',
  half_open: 'half-open — probing the LLM',
};

function rateNote(count, label) {
  return `${number(count)} ${label}`;
}

/** Disagreement numbers, when the stats carry any (field names vary between versions). */
function disagreementCards(stats) {
  return Object.entries(stats)
    .filter(([key, value]) => key.includes('disagree') && typeof value === 'number')
    .map(([key, value]) => stat(key.replace(/_/g, ' '), key.endsWith('rate') ? percent(value) : number(value)));
}

function statsCards([stats, models, overview]) {
  const llm = models.models.find((m) => m.provider !== 'builtin');
  const note = llm ? `model ${models.active}` : 'no LLM configured (LLM_API_URL unset): rules classify every alert';
  return h(
    'div',
    { testid: 'llm-stats' },
    h(
      'div',
      { class: 'stats' },
      stat('Requests', number(stats.total_requests), { note }),
      stat('Cache hit rate', percent(stats.cache_hit_rate), { note: rateNote(stats.cache_hits, 'cache hits') }),
      stat('LLM usage rate', percent(stats.llm_usage_rate), { note: rateNote(stats.llm_requests, 'LLM calls') }),
      stat('Fallback rate (rules)', percent(stats.fallback_rate), {
        note: rateNote(stats.fallback_used, 'rules fallbacks'),
        kind: stats.fallback_rate > 0.5 && llm ? 'warn' : undefined,
      }),
      stat('Error rate', percent(stats.error_rate), { note: rateNote(stats.errors, 'errors'), kind: stats.errors > 0 ? 'hot' : undefined }),
      stat('Average latency', millis(stats.avg_latency_ms)),
      stat('Circuit breaker', h('span', {}, badge(stats.circuit_state)), {
        note: llm ? (BREAKER_NOTES[stats.circuit_state] ?? '') : 'no LLM to protect: rules only',
        kind: stats.circuit_state === 'closed' ? 'ok' : 'hot',
      }),
      ...disagreementCards(stats),
    ),
    h(
      'div',
      { class: 'stats' },
      stat('Classification', overview.classification_enabled ? 'LLM enabled' : 'rules only', {
        note: overview.llm_service_available ? 'LLM service available' : 'LLM service unavailable',
      }),
      stat('Classified alerts', number(overview.classified_alerts), { note: 'distinct alerts with a classification' }),
      stat('Classification cache hit rate', percent(overview.classification_cache_hit_rate)),
    ),
  );
}

function severityBlock(stats) {
  const counts = stats.by_severity ?? {};
  if (!Object.values(counts).some((n) => n > 0))
    return empty('No classifications since the service started.', 'Send alerts through POST /webhook/proxy (enriched mode) to classify them.');
  return barList(counts, { title: 'Classifications by severity' });
}

function modelsBlock(models) {
  return h(
    'ul',
    { class: 'health-list' },
    models.models.map((m) =>
      h(
        'li',
        {},
        h('strong', {}, m.name),
        h('span', { class: 'muted small' }, ` ${m.provider}`),
        m.name === models.active ? [' ', badge('active', 'ok')] : null,
      ),
    ),
  );
}

/** Mounts the LLM page. */
export function mount(outlet, ctx) {
  const abort = new AbortController();
  const signal = abort.signal;
  const slots = { stats: h('div', {}), severity: h('div', {}), models: h('div', {}) };

  const load = (quiet) =>
    loadInto(slots.stats, {
      signal,
      quiet,
      fetch: () =>
        Promise.all([
          get('/classification/stats', {}, { signal }),
          get('/classification/models', {}, { signal }),
          get('/api/dashboard/overview', {}, { signal }),
        ]),
      render: (data) => {
        fill(slots.severity, severityBlock(data[0]));
        fill(slots.models, modelsBlock(data[1]));
        return statsCards(data);
      },
    });
  const refresh = debounce(() => void load(true), 2000);
  const unsubscribe = ['classification', 'stats_updated', 'resync'].map((type) => ctx.live.on(type, refresh));

  fill(
    outlet,
    h('div', { class: 'page-head' }, h('h1', {}, 'LLM classification'), h('span', { class: 'muted small' }, 'Counters since this replica started.')),
    slots.stats,
    h('div', { class: 'grid grid-2' }, card('Severities', {}, slots.severity), card('Models', {}, slots.models)),
  );
  void load(false);

  return {
    unmount() {
      abort.abort();
      refresh.cancel();
      unsubscribe.forEach((off) => off());
    },
  };
}
