import { describe, expect, it } from 'vitest';
import { buildMessages } from './prompt.ts';

describe('buildMessages', () => {
  const messages = buildMessages({
    fingerprint: 'f',
    status: 'firing',
    labels: { alertname: 'HighCPU', instance: 'db-1', api_key: 'sk-live-123', db_password: 'hunter2' },
    annotations: { summary: 'CPU high', description: 'x'.repeat(5_000), token: 'abc' },
  });

  it('puts the schema and the word JSON in the system message', () => {
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('JSON');
    expect(messages[0]!.content).toContain('"severity"');
  });

  it('sends the alert facts, truncated, and never a credential-looking field', () => {
    const user = messages[1]!.content;
    expect(user).toContain('HighCPU');
    expect(user).toContain('db-1');
    expect(user).not.toContain('sk-live-123');
    expect(user).not.toContain('hunter2');
    expect(user).not.toContain('"token"');
    expect(user.length).toBeLessThan(2_500);
  });
});
