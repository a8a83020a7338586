// Environment variables, legacy names first (design.md section 8). The only place that reads
// process.env is loader.ts, which hands the environment in here.

/** An environment variable and the config path it sets. */
export interface EnvBinding {
  env: string;
  path: readonly string[];
  kind: 'string' | 'list' | 'boolean';
}

/** Every variable that overrides config.yaml. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'SERVER_HOST', path: ['server', 'host'], kind: 'string' },
  { env: 'SERVER_PORT', path: ['server', 'port'], kind: 'string' },
  { env: 'SERVER_REQUEST_TIMEOUT_MS', path: ['server', 'requestTimeoutMs'], kind: 'string' },
  { env: 'SERVER_HEADERS_TIMEOUT_MS', path: ['server', 'headersTimeoutMs'], kind: 'string' },
  { env: 'SERVER_TIMEOUT_CHECK_INTERVAL_MS', path: ['server', 'timeoutCheckIntervalMs'], kind: 'string' },
  { env: 'DATABASE_URL', path: ['database', 'url'], kind: 'string' },
  { env: 'DATA_DIR', path: ['database', 'dataDir'], kind: 'string' },
  { env: 'DATABASE_POOL_SIZE', path: ['database', 'poolSize'], kind: 'string' },
  { env: 'DATABASE_READ_TIMEOUT_MS', path: ['database', 'readTimeoutMs'], kind: 'string' },
  { env: 'DATABASE_READ_POOL_SIZE', path: ['database', 'readPoolSize'], kind: 'string' },
  { env: 'LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'LOG_REQUESTS', path: ['log', 'requests'], kind: 'string' },
  { env: 'LOG_SUMMARY_INTERVAL_SECONDS', path: ['log', 'summaryIntervalSeconds'], kind: 'string' },
  { env: 'RETENTION_DAYS', path: ['retention', 'days'], kind: 'string' },
  { env: 'WEBHOOK_MAX_BODY_BYTES', path: ['webhook', 'maxBodyBytes'], kind: 'string' },
  { env: 'WEBHOOK_MAX_ALERTS', path: ['webhook', 'maxAlerts'], kind: 'string' },
  { env: 'WEBHOOK_MAX_LABEL_VALUE_BYTES', path: ['webhook', 'maxLabelValueBytes'], kind: 'string' },
  { env: 'WEBHOOK_MAX_LABELS_PER_ALERT', path: ['webhook', 'maxLabelsPerAlert'], kind: 'string' },
  { env: 'WEBHOOK_MAX_ANNOTATIONS_PER_ALERT', path: ['webhook', 'maxAnnotationsPerAlert'], kind: 'string' },
  { env: 'WEBHOOK_MAX_LABEL_NAME_BYTES', path: ['webhook', 'maxLabelNameBytes'], kind: 'string' },
  { env: 'WEBHOOK_MAX_LABEL_BYTES_PER_ALERT', path: ['webhook', 'maxLabelBytesPerAlert'], kind: 'string' },
  { env: 'WEBHOOK_GROUP_COMMIT', path: ['webhook', 'groupCommit', 'enabled'], kind: 'boolean' },
  { env: 'WEBHOOK_GROUP_COMMIT_MAX_ROWS', path: ['webhook', 'groupCommit', 'maxRows'], kind: 'string' },
  { env: 'WEBHOOK_GROUP_COMMIT_MAX_IN_FLIGHT', path: ['webhook', 'groupCommit', 'maxInFlight'], kind: 'string' },
  { env: 'WEBHOOK_GROUP_COMMIT_MAX_WAIT_MS', path: ['webhook', 'groupCommit', 'maxWaitMs'], kind: 'string' },
  { env: 'WEBHOOK_BEARER_TOKEN', path: ['webhook', 'auth', 'bearerToken'], kind: 'string' },
  { env: 'WEBHOOK_USERNAME', path: ['webhook', 'auth', 'username'], kind: 'string' },
  { env: 'WEBHOOK_PASSWORD', path: ['webhook', 'auth', 'password'], kind: 'string' },
  { env: 'HISTORY_EXACT_COUNT_LIMIT', path: ['history', 'exactCountLimit'], kind: 'string' },
  { env: 'LLM_API_URL', path: ['llm', 'apiUrl'], kind: 'string' },
  { env: 'LLM_API_KEY', path: ['llm', 'apiKey'], kind: 'string' },
  { env: 'LLM_MODEL', path: ['llm', 'model'], kind: 'string' },
  { env: 'LLM_TIMEOUT', path: ['llm', 'timeoutSeconds'], kind: 'string' },
  { env: 'LLM_AUTH_HEADER', path: ['llm', 'authHeader'], kind: 'string' },
  { env: 'CLASSIFICATION_WEBHOOK_BUDGET_MS', path: ['classification', 'webhookBudgetMs'], kind: 'string' },
  { env: 'CLASSIFICATION_CACHE_TTL', path: ['classification', 'cacheTtlSeconds'], kind: 'string' },
  { env: 'REDIS_URL', path: ['redis', 'url'], kind: 'string' },
  { env: 'ENRICHMENT_MODE', path: ['enrichment', 'mode'], kind: 'string' },
  { env: 'DASHBOARD_URL', path: ['publishing', 'dashboardUrl'], kind: 'string' },
  { env: 'PUBLISHING_CONCURRENCY', path: ['publishing', 'worker', 'concurrency'], kind: 'string' },
  { env: 'PROXY_RESPONSE_WAIT_MS', path: ['proxy', 'responseWaitMs'], kind: 'string' },
  { env: 'OPERATOR_MODE', path: ['operator', 'mode'], kind: 'string' },
  { env: 'KUBECONFIG', path: ['operator', 'kubeconfig'], kind: 'string' },
  { env: 'KUBERNETES_SERVICE_HOST', path: ['operator', 'inClusterHost'], kind: 'string' },
  { env: 'OPERATOR_NAMESPACES', path: ['operator', 'namespaces'], kind: 'list' },
  { env: 'POD_NAME', path: ['operator', 'podName'], kind: 'string' },
  { env: 'POD_NAMESPACE', path: ['operator', 'podNamespace'], kind: 'string' },
  { env: 'API_TOKENS', path: ['auth', 'apiTokens'], kind: 'list' },
  { env: 'API_PROTECT_READS', path: ['auth', 'protectReads'], kind: 'boolean' },
  { env: 'LIVE_MAX_SUBSCRIBERS', path: ['live', 'maxSubscribers'], kind: 'string' },
  { env: 'LIVE_MAX_BUFFERED_BYTES', path: ['live', 'maxBufferedBytes'], kind: 'string' },
  { env: 'LIVE_TICKET_TTL_SECONDS', path: ['live', 'ticketTtlSeconds'], kind: 'string' },
  { env: 'SILENCES_ALERTMANAGER_URL', path: ['silences', 'url'], kind: 'string' },
  { env: 'SILENCES_USERNAME', path: ['silences', 'username'], kind: 'string' },
  { env: 'SILENCES_PASSWORD', path: ['silences', 'password'], kind: 'string' },
  { env: 'SILENCES_BEARER_TOKEN', path: ['silences', 'bearerToken'], kind: 'string' },
  { env: 'SILENCES_TIMEOUT_MS', path: ['silences', 'timeoutMs'], kind: 'string' },
];

function convert(binding: EnvBinding, raw: string): unknown {
  if (binding.kind === 'list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (binding.kind === 'boolean') return ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase());
  return raw.trim();
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    const child: Record<string, unknown> = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...next } : {};
    node[key] = child;
    node = child;
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** Overlays the environment on the parsed YAML document; empty variables are ignored. */
export function applyEnv(doc: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...doc };
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.env];
    if (raw !== undefined && raw.trim() !== '') setPath(out, binding.path, convert(binding, raw));
  }
  return out;
}

/**
 * The environment variable that sets a config path, if any (for error messages). An item of a
 * list (`auth.apiTokens.0`) is named by the variable that sets the whole list.
 */
export function envNameFor(path: readonly (string | number)[]): string | undefined {
  const key = path.join('.');
  const exact = ENV_BINDINGS.find((b) => b.path.join('.') === key);
  if (exact) return exact.env;
  const last = path.at(-1);
  if (typeof last !== 'number') return undefined;
  const list = path.slice(0, -1).join('.');
  return ENV_BINDINGS.find((b) => b.kind === 'list' && b.path.join('.') === list)?.env;
}
