import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { createOutbound } from '../outbound/client.ts';
import { createSilenceApi } from './alertmanager-client.ts';

interface Seen {
  url: string;
  authorization: string | undefined;
}

describe('createSilenceApi', () => {
  const seen: Seen[] = [];
  let reply: { status: number; body: string } = { status: 200, body: '[]' };
  let server: Server;
  let base = '';
  const outbound = createOutbound();

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await outbound.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const failure = async (promise: Promise<unknown>): Promise<AppError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  };

  it('sends URL userinfo as basic auth, never in the URL, and keeps a path prefix', async () => {
    reply = { status: 200, body: '[]' };
    const api = createSilenceApi({ url: `http://am%40corp:p%3Ass@${base}/am/`, timeoutMs: 2_000, outbound });
    expect(await api.list()).toEqual([]);
    expect(seen.at(-1)).toEqual({ url: '/am/api/v2/silences', authorization: `Basic ${Buffer.from('am@corp:p:ss').toString('base64')}` });
    expect(api.shownUrl).toBe(`http://${base}/***`);
  });

  it('maps 401 to auth_error, 404 on a named silence to NOT_FOUND, a foreign body to invalid_response', async () => {
    const api = createSilenceApi({ url: `http://${base}`, bearerToken: 'tok-0123456789', timeoutMs: 2_000, outbound });
    reply = { status: 401, body: 'Unauthorized' };
    expect((await failure(api.list())).details).toEqual({ reason: 'auth_error', upstream_status: 401 });
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-0123456789');
    reply = { status: 404, body: '' };
    expect((await failure(api.expire('abc'))).code).toBe('NOT_FOUND');
    reply = { status: 200, body: '{"not":"silences"}' };
    expect((await failure(api.list())).details).toMatchObject({ reason: 'invalid_response' });
    reply = { status: 200, body: '<html>' };
    expect((await failure(api.create({ matchers: [], startsAt: '', endsAt: '', createdBy: '', comment: '' }))).details).toMatchObject({
      reason: 'invalid_response',
    });
  });

  it("quotes Alertmanager's 4xx message with the credential masked", async () => {
    const api = createSilenceApi({ url: `http://${base}`, username: 'u', password: 'hunter2-secret', timeoutMs: 2_000, outbound });
    reply = { status: 400, body: JSON.stringify('rejected for hunter2-secret') };
    const err = await failure(api.create({ matchers: [], startsAt: '', endsAt: '', createdBy: '', comment: '' }));
    expect(err.details).toEqual({ reason: 'client_error', upstream_status: 400 });
    expect(err.message).toBe('Alertmanager refused the request (400): rejected for ***');
  });
});
