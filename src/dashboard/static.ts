// The dashboard's pages: one HTML shell for / and every /dashboard/* deep link (the client
// routes), and the static files under /dashboard/assets with cache headers. Every response gets a
// strict Content-Security-Policy: scripts, styles and connections from this origin only, nothing
// inline, no framing. No CDN: everything is served from here.
import { existsSync, readFileSync } from 'node:fs';
import express, { type RequestHandler, type Router } from 'express';
import { AppError } from '../core/errors.ts';

/** The policy every dashboard response carries. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Where the assets are: beside this file in src/ (make run) and in dist/ (make build copies them). */
export const ASSETS_DIR = new URL('./assets/', import.meta.url).pathname;

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  next();
};

/** Registers the pages and assets. */
export function registerDashboardPages(router: Router, options: { assetsDir?: string } = {}): void {
  const dir = options.assetsDir ?? ASSETS_DIR;
  const indexFile = `${dir}index.html`;
  let shell: string | undefined;
  const page: RequestHandler = (_req, res, next) => {
    if (shell === undefined && existsSync(indexFile)) shell = readFileSync(indexFile, 'utf8');
    if (shell === undefined) return next(new AppError('NOT_FOUND', 'dashboard assets are missing from this build: run `make build`'));
    res.set('cache-control', 'no-cache').type('html').send(shell);
  };
  // Short max-age with ETag revalidation: file names carry no version, so a deploy shows within minutes.
  router.use('/dashboard/assets', securityHeaders, express.static(dir, { index: false, maxAge: '5m', etag: true }), (req, _res, next) => {
    next(new AppError('NOT_FOUND', `no dashboard asset ${req.path.slice(0, 200)}`));
  });
  router.get(['/', '/dashboard', '/dashboard/*rest'], securityHeaders, page);
}
