import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './loader.ts';

const load = (env: Record<string, string>): ReturnType<typeof loadConfig>['config'] => loadConfig({ env, cwd: tmpdir() }).config;

describe('webhook and server limits', () => {
  it('defaults', () => {
    const { webhook, server } = load({});
    expect(webhook).toMatchObject({
      maxLabelsPerAlert: 256,
      maxAnnotationsPerAlert: 256,
      maxLabelNameBytes: 1024,
      maxLabelValueBytes: 64 * 1024,
      maxLabelBytesPerAlert: 256 * 1024,
    });
    expect(server).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, timeoutCheckIntervalMs: 1_000 });
  });

  it('reads the environment names', () => {
    const { webhook, server } = load({
      WEBHOOK_MAX_LABELS_PER_ALERT: '10',
      WEBHOOK_MAX_ANNOTATIONS_PER_ALERT: '11',
      WEBHOOK_MAX_LABEL_NAME_BYTES: '12',
      WEBHOOK_MAX_LABEL_VALUE_BYTES: '13',
      WEBHOOK_MAX_LABEL_BYTES_PER_ALERT: '14',
      SERVER_HEADERS_TIMEOUT_MS: '500',
      SERVER_REQUEST_TIMEOUT_MS: '900',
      SERVER_TIMEOUT_CHECK_INTERVAL_MS: '100',
    });
    expect(webhook).toMatchObject({
      maxLabelsPerAlert: 10,
      maxAnnotationsPerAlert: 11,
      maxLabelNameBytes: 12,
      maxLabelValueBytes: 13,
      maxLabelBytesPerAlert: 14,
    });
    expect(server).toMatchObject({ headersTimeoutMs: 500, requestTimeoutMs: 900, timeoutCheckIntervalMs: 100 });
  });

  it('rejects a headers timeout above the request timeout, naming the key', () => {
    expect(() => load({ SERVER_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/server\.headersTimeoutMs.*must not exceed requestTimeoutMs/);
  });

  it('rejects a check interval outside 100..30000', () => {
    expect(() => load({ SERVER_TIMEOUT_CHECK_INTERVAL_MS: '5' })).toThrow(/server\.timeoutCheckIntervalMs/);
  });
});
