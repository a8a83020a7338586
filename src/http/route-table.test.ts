import type { RequestHandler } from 'express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { RouteTable } from './route-table.ts';

/** Runs `method path` through the router and reports which handlers ran. */
function run(router: express.Router, method: string, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ran: string[] = [];
    const req = { method: method.toUpperCase(), url: path, headers: {}, ran } as unknown as express.Request;
    const res = { ran } as unknown as express.Response;
    router(req, res, (err?: unknown) => (err ? reject(new Error('the router passed an error', { cause: err })) : resolve(ran)));
  });
}

const mark =
  (name: string): RequestHandler =>
  (req, _res, next) => {
    (req as unknown as { ran: string[] }).ran.push(name);
    next();
  };

describe('RouteTable read protection', () => {
  it('puts the read guard in front of every GET route except the exempt ones, and never in front of writes', async () => {
    const table = new RouteTable({ guard: mark('guard'), exempt: ['/healthz'] });
    const router = express.Router();
    table.add(router, 'get', '/history/:fingerprint', mark('read'));
    table.add(router, 'get', '/healthz', mark('probe'));
    table.add(router, 'post', '/enrichment/mode', mark('write'));
    expect(await run(router, 'get', '/history/abc')).toEqual(['guard', 'read']);
    expect(await run(router, 'get', '/healthz')).toEqual(['probe']);
    expect(await run(router, 'post', '/enrichment/mode')).toEqual(['write']);
    expect(table.entries).toEqual([
      { method: 'get', path: '/history/:fingerprint' },
      { method: 'get', path: '/healthz' },
      { method: 'post', path: '/enrichment/mode' },
    ]);
  });

  it('adds no guard without read protection', async () => {
    const table = new RouteTable();
    const router = express.Router();
    table.add(router, 'get', '/history', mark('read'));
    expect(await run(router, 'get', '/history')).toEqual(['read']);
  });
});
