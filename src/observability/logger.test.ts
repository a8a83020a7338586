import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('never writes configured target URLs, keys or header values', () => {
    const { lines, logger } = capture();
    const target = {
      name: 'hook',
      url: 'https://hooks.example.invalid/services/T1/B2/tok3n',
      credentials: 'key-0123',
      headers: [{ name: 'X-Token', value: 'hdr-0123' }],
    };
    logger.info({ config: { publishing: { targets: [target] } } }, 'config loaded');
    logger.info({ request: { headers: { authorization: 'Bearer bear-0123' } }, target: { credentials: 'cred-0123' } }, 'sending');
    logger.info({ payload: { routing_key: 'rk-0123' } }, 'payload');
    const out = lines.join('');
    for (const secret of ['tok3n', 'key-0123', 'hdr-0123', 'bear-0123', 'cred-0123', 'rk-0123']) expect(out).not.toContain(secret);
    expect(out).toContain('"name":"hook"');
  });
});
