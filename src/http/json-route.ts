// The one wrapper for async route handlers: the resolved value is the JSON answer, and a rejection
// goes to the error middleware (api/middleware/errors.ts), so handlers just return or throw.
import type { Request, RequestHandler, Response } from 'express';

/** A route handler that answers with the value its promise resolves to. */
export type JsonHandler = (req: Request, res: Response) => Promise<unknown>;

/** Adapts `handler` to Express: `res.json(value)` on success, `next(err)` on rejection. */
export function jsonRoute(handler: JsonHandler): RequestHandler {
  return (req, res, next) => {
    handler(req, res).then((body) => res.json(body), next);
  };
}
