// Lint rules carry the house style (docs/style.md): small functions, options objects instead of
// long parameter lists, no floating promises, explicit return types on exports, and the
// dependency direction of design.md section 6.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers each source folder must not import (design.md section 6). http/ is the HTTP kit (route
 * table, query parsing, the JSON route wrapper) under api/, dashboard/ and live/; outbound/ is the
 * client side (publishers, LLM, Kubernetes); live/ is the dashboard's live events (bus, Redis relay,
 * stream routes, tickets); compose/ is wiring for main.ts and cli.ts, so no layer imports it.
 */
const forbidden = {
  core: [
    'config',
    'observability',
    'ingest',
    'store',
    'classify',
    'publish',
    'pipeline',
    'operator',
    'http',
    'outbound',
    'api',
    'dashboard',
    'live',
    'compose',
  ],
  config: ['observability', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  observability: ['ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  ingest: ['store', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  store: ['ingest', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  classify: ['ingest', 'store', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  publish: ['ingest', 'store', 'classify', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  pipeline: ['config', 'ingest', 'store', 'classify', 'publish', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  http: ['config', 'observability', 'store', 'classify', 'publish', 'pipeline', 'operator', 'outbound', 'api', 'dashboard', 'live', 'compose'],
  // outbound/ is the outbound HTTP layer (agents, deadlines, network failures) under publish/,
  // classify/ and operator/; it knows core/ only. Not to be mixed with http/, the inbound kit.
  outbound: ['config', 'observability', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  api: ['store', 'classify', 'publish', 'operator', 'compose'],
  // dashboard/ is routes like api/'s, mounted by api/app.ts: it must not import api/ back (no cycle).
  dashboard: ['config', 'ingest', 'store', 'classify', 'publish', 'operator', 'api', 'compose'],
  // operator/ feeds the catalogs; it may use publish/ (registry, publishers' validate) but not the stores.
  operator: ['ingest', 'store', 'classify', 'pipeline', 'http', 'api', 'dashboard', 'live', 'compose'],
  // live/ is the dashboard's live events end to end: event types and frames, the per-replica bus,
  // its Redis relay and ticket registry, the SSE and ticket routes, and the hooks that feed the bus.
  // It builds on core/, observability/ and http/; api/ mounts its routes, main.ts wires it.
  live: ['config', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'outbound', 'api', 'dashboard', 'compose'],
  // compose/ builds the parts main.ts hands to the HTTP app; the app itself is wired in main.ts.
  compose: ['http', 'api'],
  // silences/ is Alertmanager's silence API (through outbound/) and the service the silence routes
  // use; it knows core/ and outbound/ only (the store comes in through a core/ port).
  silences: ['config', 'observability', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'http', 'api', 'dashboard', 'live', 'compose'],
  // legacy/ is `alert-history import-legacy`: reads a predecessor's store, writes through store/.
  legacy: ['classify', 'publish', 'pipeline', 'operator', 'http', 'outbound', 'api', 'dashboard', 'live', 'compose'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  ignores: ['src/**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/*`, `../${b}`, `../../${b}`],
          message: `${layer}/ must not depend on ${b}/ (design.md section 6: dependency direction)`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'data/**', 'coverage/**', 'src/store/migrations/**', 'test-results/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'max-lines': 'off',
      // Fakes of vendor APIs are request validators with many branches by nature.
      complexity: ['error', 15],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The dashboard's browser modules: plain JavaScript served as is (no build step).
    files: ['src/dashboard/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'sessionStorage',
          'localStorage',
          'location',
          'history',
          'navigator',
          'fetch',
          'EventSource',
          'URL',
          'URLSearchParams',
          'Intl',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'requestAnimationFrame',
          'console',
          'HTMLElement',
          'Event',
          'CustomEvent',
          'AbortController',
          'FormData',
          'matchMedia',
          'performance',
          'queueMicrotask',
          'structuredClone',
          'DOMException',
          'Node',
          'Element',
          'SVGElement',
          'KeyboardEvent',
          'MouseEvent',
          'getComputedStyle',
          'ResizeObserver',
          'MutationObserver',
          'Blob',
          'TextEncoder',
          'crypto',
          'confirm',
          'alert',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
  ...layerRules,
);
