// Path parameters are decoded by the router before any handler runs. An undecodable one
// (`/history/%ff`) is a router error, mapped to 400 in errors.ts; a decodable one may still carry
// U+0000 (`/history/%00`), which no store can hold, and is stopped here before routing. Both name
// the parameter, found by matching the raw path against the registered routes.
import type { Request, RequestHandler } from 'express';
import { match } from 'path-to-regexp';
import { type AppError, type FieldIssue, validationError } from '../../core/errors.ts';
import { textProblem } from '../../ingest/text.ts';
import { isRecord } from '../../core/guards.ts';

const UNDECODABLE = 'is not valid percent-encoded UTF-8';

/** A nested router's layers: the router is a function carrying a `stack`. */
function stackOf(handle: unknown): unknown {
  return typeof handle === 'function' || isRecord(handle) ? Reflect.get(handle, 'stack') : undefined;
}

/** Every route path registered under the app's router (nested routers mounted at `/`). */
function routePaths(stack: unknown, out: string[] = []): string[] {
  if (!Array.isArray(stack)) return out;
  for (const layer of stack.filter(isRecord)) {
    const path = isRecord(layer.route) ? layer.route.path : undefined;
    if (path === undefined) routePaths(stackOf(layer.handle), out);
    else out.push(...[path].flat().filter((p): p is string => typeof p === 'string'));
  }
  return out;
}

/** The raw (undecoded) parameters of `reqPath` under a route path, if it matches. */
function rawParams(routePath: string, reqPath: string): Partial<Record<string, unknown>> {
  try {
    const found = match(routePath, { decode: false })(reqPath);
    return found ? found.params : {};
  } catch {
    return {};
  }
}

function rawProblem(raw: unknown): string | undefined {
  const parts = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  try {
    return parts.map((p) => textProblem(decodeURIComponent(p))).find(Boolean);
  } catch {
    return UNDECODABLE;
  }
}

/** The first path parameter of a request that is undecodable or not storable text, by name. */
export function pathParamIssue(req: Request): FieldIssue | undefined {
  for (const route of routePaths(req.app.router.stack)) {
    const params = rawParams(route, req.path);
    for (const [name, raw] of Object.entries(params)) {
      const problem = rawProblem(raw);
      if (problem) return { path: name, message: problem };
    }
  }
  return undefined;
}

/** The 400 for an undecodable path parameter (the router's `URIError`). */
export function undecodablePathError(req: Request | undefined): AppError {
  const issue = (req && pathParamIssue(req)) ?? { path: 'path', message: UNDECODABLE };
  return validationError([issue], `${issue.path}: path parameter ${issue.message}`);
}

/**
 * Before routing: `%00` in the path is a 400 naming the parameter. It is the only text problem a
 * decodable path can carry (a lone surrogate is not valid UTF-8, so it cannot be decoded at all).
 */
export const rejectNulInPath: RequestHandler = (req, _res, next) => {
  if (!req.path.includes('%00')) return next();
  const issue = pathParamIssue(req) ?? { path: 'path', message: textProblem('\u0000') ?? 'must not contain NUL characters' };
  next(validationError([issue], `${issue.path}: path parameter ${issue.message}`));
};
