import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from './errors.ts';
import { rejectNulInPath } from './path-params.ts';

let base = '';
let close: () => void = () => undefined;

beforeAll(async () => {
  const app = express();
  const router = express.Router();
  router.get('/items/:itemId', (req, res) => void res.json({ id: req.params.itemId }));
  router.get('/files/*rest', (req, res) => void res.json({ rest: req.params.rest }));
  app.use(rejectNulInPath);
  app.use(router);
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

async function fieldsOf(path: string): Promise<{ status: number; fields: unknown }> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { details?: { fields?: unknown } };
  return { status: res.status, fields: body.details?.fields };
}

describe('path parameters', () => {
  it.each([
    ['/items/%ff', 'itemId', 'is not valid percent-encoded UTF-8'],
    ['/items/%ED%A0%80', 'itemId', 'is not valid percent-encoded UTF-8'],
    ['/items/a%00b', 'itemId', 'must not contain NUL characters (U+0000)'],
    ['/files/a/%00', 'rest', 'must not contain NUL characters (U+0000)'],
    ['/nowhere/%00', 'path', 'must not contain NUL characters (U+0000)'],
  ])('%s: 400 naming %s', async (path, name, message) => {
    expect(await fieldsOf(path)).toEqual({ status: 400, fields: [{ path: name, message }] });
  });

  it('passes decodable parameters through', async () => {
    const res = await fetch(`${base}/items/%C3%A9t%C3%A9`);
    expect(await res.json()).toEqual({ id: 'été' });
  });
});
