// The Helm chart's static parts: its appVersion is the package's version, and values.yaml holds no
// secret value, only references to existing Secrets. (Rendering and installing it: test/operator/helm.test.ts.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CHART = new URL('../../../charts/alert-history/', import.meta.url);
const read = (file: string): unknown => parse(readFileSync(new URL(file, CHART), 'utf8'));

describe('Helm chart charts/alert-history', () => {
  it('has appVersion = package.json version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((read('Chart.yaml') as { appVersion: string }).appVersion).toBe(pkg.version);
  });

  it('takes DATABASE_URL, REDIS_URL, the LLM key and API tokens from existing Secrets, none by default', () => {
    const values = read('values.yaml') as { secrets: Record<string, { name: string; key: string }> };
    expect(values.secrets).toEqual({
      databaseUrl: { name: '', key: 'DATABASE_URL' },
      redisUrl: { name: '', key: 'REDIS_URL' },
      llmApiKey: { name: '', key: 'LLM_API_KEY' },
      apiTokens: { name: '', key: 'API_TOKENS' },
    });
    expect(readFileSync(new URL('values.yaml', CHART), 'utf8')).not.toMatch(/postgres(ql)?:\/\/\w+:|sk-[A-Za-z0-9]|redis:\/\/[^"\s]*@/);
  });

  it('validates values with a schema that names every top-level key of values.yaml', () => {
    const schema = JSON.parse(readFileSync(new URL('values.schema.json', CHART), 'utf8')) as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(read('values.yaml') as object).sort());
  });
});
