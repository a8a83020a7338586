// Every route the app serves, recorded as it is registered: the 405 fallback and the OpenAPI
// test read the same table, so neither can drift from the routers. It is also the one place reads
// are protected: with a read guard, every GET route gets it unless its path is on the exempt list,
// so a new read route cannot be left open by forgetting a guard.
import type { RequestHandler, Router } from 'express';
import { match } from 'path-to-regexp';

/** HTTP methods the API uses. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One registered route. */
export interface RouteEntry {
  method: Method;
  path: string;
}

/** The guard every GET route gets, and the paths that go without it. */
export interface ReadProtection {
  guard: RequestHandler;
  /** Probes, metrics, the OpenAPI document, and routes that authenticate themselves. */
  exempt: readonly string[];
}

/** Records routes while registering them on a router. */
export class RouteTable {
  readonly entries: RouteEntry[] = [];
  readonly #matchers = new Map<string, (path: string) => boolean>();
  readonly #reads: ReadProtection | undefined;

  constructor(reads?: ReadProtection) {
    this.#reads = reads;
  }

  /** Registers `handlers` for `method path` on `router` (behind the read guard for a protected GET) and records it. */
  add(router: Router, method: Method, path: string, ...handlers: RequestHandler[]): void {
    const reads = this.#reads;
    const guarded = method === 'get' && reads !== undefined && !reads.exempt.includes(path);
    router[method](path, ...(guarded ? [reads.guard, ...handlers] : handlers));
    this.entries.push({ method, path });
    if (!this.#matchers.has(path)) {
      const fn = match(path, { decode: false });
      this.#matchers.set(path, (p) => fn(p) !== false);
    }
  }

  /** The methods registered for paths matching `path` (upper case), for `Allow`. */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries) {
      if (this.#matchers.get(entry.path)?.(path)) methods.add(entry.method.toUpperCase());
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}
