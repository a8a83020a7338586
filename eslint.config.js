// Lint rules carry the house style (docs/style.md): small functions, options objects instead of
// long parameter lists, no floating promises, explicit return types on exports, and the
// dependency direction of design.md section 6.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers each source folder must not import (design.md section 6). */
const forbidden = {
  core: ['config', 'observability', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  config: ['observability', 'ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  observability: ['ingest', 'store', 'classify', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  ingest: ['store', 'classify', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  store: ['ingest', 'classify', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  classify: ['ingest', 'store', 'publish', 'pipeline', 'operator', 'api', 'dashboard'],
  publish: ['ingest', 'store', 'classify', 'pipeline', 'operator', 'api', 'dashboard'],
  pipeline: ['config', 'ingest', 'store', 'classify', 'publish', 'operator', 'api', 'dashboard'],
  api: ['store', 'classify', 'publish', 'operator'],
  // operator/ feeds the catalogs; it may use publish/ (registry, publishers' validate) but not the stores.
  operator: ['ingest', 'store', 'classify', 'pipeline', 'api', 'dashboard'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  ignores: ['src/**/*.test.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: banned.map((b) => ({
        group: [`**/${b}/*`, `../${b}`, `../../${b}`],
        message: `${layer}/ must not depend on ${b}/ (design.md section 6: dependency direction)`,
      })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'data/**', 'coverage/**', 'src/store/migrations/**', 'test-results/**'] },
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
        ['window', 'document', 'sessionStorage', 'localStorage', 'location', 'history', 'navigator', 'fetch', 'EventSource', 'URL', 'URLSearchParams',
          'Intl', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'console', 'HTMLElement', 'Event', 'CustomEvent',
          'AbortController', 'FormData', 'matchMedia', 'performance', 'queueMicrotask', 'structuredClone', 'DOMException', 'Node', 'Element',
          'SVGElement', 'KeyboardEvent', 'MouseEvent', 'getComputedStyle', 'ResizeObserver', 'MutationObserver', 'Blob', 'TextEncoder', 'crypto', 'confirm', 'alert'].map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
  ...layerRules,
);
