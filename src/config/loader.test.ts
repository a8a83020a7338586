import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './loader.ts';

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ah-config-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no file and no environment', () => {
    const { config } = loadConfig({ env: {}, cwd: tmpdir() });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.database.dataDir).toBe('./data');
    expect(config.database.url).toBeUndefined();
    expect(config.retention.days).toBe(30);
    expect(config.webhook.maxBodyBytes).toBe(10 * 1024 * 1024);
    expect(config.webhook.maxAlerts).toBe(1000);
    expect(config.webhook.maxDepth).toBe(32);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('reads the legacy environment names over the file', () => {
    const file = tempConfig('server:\n  port: 9000\n  host: 127.0.0.1\n');
    const { config } = loadConfig({
      configPath: file,
      env: {
        SERVER_PORT: '9100',
        DATA_DIR: '/var/lib/ah',
        DATABASE_URL: 'postgres://u@db/x',
        RETENTION_DAYS: '7',
        LOG_LEVEL: 'debug',
        API_TOKENS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb',
      },
    });
    expect(config.server.port).toBe(9100);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.database.dataDir).toBe('/var/lib/ah');
    expect(config.database.url).toBe('postgres://u@db/x');
    expect(config.retention.days).toBe(7);
    expect(config.log.level).toBe('debug');
    expect(config.auth.apiTokens).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
  });

  it('reads the legacy LLM, Redis and enrichment names', () => {
    const { config } = loadConfig({
      env: {
        LLM_API_URL: 'http://litellm:4000',
        LLM_API_KEY: 'sk-abc',
        LLM_MODEL: 'claude-haiku',
        LLM_TIMEOUT: '10',
        REDIS_URL: 'redis://redis:6379/0',
        ENRICHMENT_MODE: 'transparent',
      },
      cwd: tmpdir(),
    });
    expect(config.llm).toMatchObject({ apiUrl: 'http://litellm:4000', apiKey: 'sk-abc', model: 'claude-haiku', timeoutSeconds: 10 });
    expect(config.redis.url).toBe('redis://redis:6379/0');
    expect(config.enrichment.mode).toBe('transparent');
    expect(config.classification.cacheTtlSeconds).toBe(3600);
  });

  it('rejects a bad LLM URL, timeout and mode, naming each', () => {
    expect(errorOf(() => loadConfig({ env: { LLM_API_URL: 'ftp://x' }, cwd: tmpdir() }))).toContain('llm.apiUrl (env LLM_API_URL): must be an http(s) URL');
    expect(errorOf(() => loadConfig({ env: { LLM_TIMEOUT: '0' }, cwd: tmpdir() }))).toContain(
      'llm.timeoutSeconds (env LLM_TIMEOUT): must be an integer from 1 to 300',
    );
    expect(errorOf(() => loadConfig({ env: { ENRICHMENT_MODE: 'smart' }, cwd: tmpdir() }))).toContain('transparent_with_recommendations');
    expect(errorOf(() => loadConfig({ env: { LLM_API_KEY: '', REDIS_URL: 'http://secret@x' }, cwd: tmpdir() }))).not.toContain('secret');
  });

  it('validates enrichment policies and global filters from the file', () => {
    const ok = tempConfig(`enrichment:
  policies:
    - name: payments-llm
      priority: 100
      match: { namespaces: [payments], matchers: [{ label: severity, op: "=~", value: "critical|warning" }] }
      mode: enriched
      classification: { minConfidence: 0.6 }
filters:
  namespacePatterns: ["prod-.*"]
`);
    const { config } = loadConfig({ configPath: ok, env: {} });
    expect(config.enrichment.policies[0]).toMatchObject({ name: 'payments-llm', priority: 100, mode: 'enriched' });
    expect(config.filters).toMatchObject({ allowCritical: true, blockNoise: true, minConfidence: 0.3, namespacePatterns: ['prod-.*'] });
    const badRegex = tempConfig('enrichment:\n  policies:\n    - { name: p, mode: enriched, match: { matchers: [{ label: a, op: "=~", value: "(" }] } }\n');
    expect(errorOf(() => loadConfig({ configPath: badRegex, env: {} }))).toContain(
      'enrichment.policies.0.match.matchers.0.value: "(" is not a valid RE2 regular expression',
    );
    const badName = tempConfig('enrichment:\n  policies:\n    - { name: Team_A, mode: enriched }\n');
    expect(errorOf(() => loadConfig({ configPath: badName, env: {} }))).toContain('enrichment.policies.0.name: must be a DNS-1123 label');
    const badTimeout = tempConfig('enrichment:\n  policies:\n    - { name: t, mode: enriched, classification: { timeout: soon } }\n');
    expect(errorOf(() => loadConfig({ configPath: badTimeout, env: {} }))).toContain(
      'enrichment.policies.0.classification.timeout: must be a duration such as 10s, 5m or 1h',
    );
    const dup = tempConfig('enrichment:\n  policies:\n    - { name: a, mode: enriched }\n    - { name: a, mode: transparent }\n');
    expect(errorOf(() => loadConfig({ configPath: dup, env: {} }))).toContain('policy names must be unique');
  });

  it('uses CONFIG_FILE when no path is given', () => {
    const file = tempConfig('retention:\n  days: 3\n');
    expect(loadConfig({ env: { CONFIG_FILE: file } }).config.retention.days).toBe(3);
  });

  it('names key, variable, problem and range in one line', () => {
    const message = errorOf(() => loadConfig({ env: { SERVER_PORT: '70000' }, cwd: tmpdir() }));
    expect(message).toBe('config: server.port (env SERVER_PORT): must be an integer from 0 to 65535 (got "70000")');
    expect(message).not.toContain('\n');
  });

  it('names API_TOKENS when one of its tokens is too short, without printing the token', () => {
    const message = errorOf(() => loadConfig({ env: { API_TOKENS: 'aaaaaaaaaaaaaaaa, short-secret' }, cwd: tmpdir() }));
    expect(message).toBe('config: auth.apiTokens.1 (env API_TOKENS): each token must be at least 16 characters');
  });

  it('lists the allowed values of an enum', () => {
    const message = errorOf(() => loadConfig({ env: { LOG_LEVEL: 'loud' }, cwd: tmpdir() }));
    expect(message).toContain('log.level (env LOG_LEVEL)');
    expect(message).toContain('"debug"');
  });

  it('rejects unknown keys', () => {
    const file = tempConfig('server:\n  prot: 1\n');
    expect(errorOf(() => loadConfig({ configPath: file, env: {} }))).toContain('unknown key(s) prot');
  });

  it('never echoes a secret value', () => {
    const message = errorOf(() => loadConfig({ env: { DATABASE_URL: 'mysql://user:hunter2@db' }, cwd: tmpdir() }));
    expect(message).toContain('database.url (env DATABASE_URL)');
    expect(message).not.toContain('hunter2');
  });

  it('reports unreadable and malformed files', () => {
    expect(errorOf(() => loadConfig({ configPath: '/nonexistent/config.yaml', env: {} }))).toContain('ENOENT');
    expect(errorOf(() => loadConfig({ configPath: tempConfig('server: [\n'), env: {} }))).toContain('not valid YAML');
  });

  it('expands ${ENV} in publishing targets, and names a missing variable without values', () => {
    const file = tempConfig(`publishing:
  targets:
    - name: oncall
      type: pagerduty
      credentials: \${PD_KEY}
      headers: [ { name: X-Token, value: "t-\${HDR}" } ]
`);
    const { config } = loadConfig({ configPath: file, env: { PD_KEY: 'k'.repeat(32), HDR: 'abc' } });
    expect(config.publishing.targets[0]).toMatchObject({ credentials: 'k'.repeat(32), headers: [{ name: 'X-Token', value: 't-abc' }] });
    expect(errorOf(() => loadConfig({ configPath: file, env: { HDR: 'abc' } }))).toBe(
      'config: publishing.targets[0].credentials: environment variable PD_KEY is not set',
    );
  });

  it('validates publishing targets, never echoing a URL or credential', () => {
    const badType = tempConfig('publishing:\n  targets:\n    - { name: x, type: teams }\n');
    expect(errorOf(() => loadConfig({ configPath: badType, env: {} }))).toContain('publishing.targets.0.type');
    const badUrl = tempConfig('publishing:\n  targets:\n    - { name: x, type: webhook, url: "ftp://secret-host/hunter2" }\n');
    const message = errorOf(() => loadConfig({ configPath: badUrl, env: {} }));
    expect(message).toContain('publishing.targets.0.url: must be an http(s) URL');
    expect(message).not.toContain('hunter2');
    const dup = tempConfig('publishing:\n  targets:\n    - { name: a, type: webhook, url: "http://x" }\n    - { name: a, type: webhook, url: "http://y" }\n');
    expect(errorOf(() => loadConfig({ configPath: dup, env: {} }))).toContain('target names must be unique');
  });
});
