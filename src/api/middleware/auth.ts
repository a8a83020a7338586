// Credentials: API bearer tokens for management routes and the optional webhook credential
// (Alertmanager http_config: bearer or basic). Compared in constant time on SHA-256 digests, so
// neither the content nor the length of a token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../core/errors.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** True when `candidate` equals one of `secrets`; every secret is compared. */
export function matchesAny(candidate: string, secrets: readonly Buffer[]): boolean {
  const c = digest(candidate);
  let ok = false;
  for (const s of secrets) ok = timingSafeEqual(c, s) || ok;
  return ok;
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

function basicOf(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  return m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : undefined;
}

const challenge = (scheme: string): AppError =>
  new AppError('AUTHENTICATION_ERROR', 'missing or invalid credentials', {
    headers: { 'WWW-Authenticate': `${scheme} realm="alert-history"` },
  });

/** Requires `Authorization: Bearer <token>` when tokens are configured; a no-op otherwise. */
export function requireApiToken(tokens: readonly string[]): RequestHandler {
  const secrets = tokens.map(digest);
  return (req, _res, next) => {
    if (secrets.length === 0) return next();
    const token = bearerOf(req.get('authorization'));
    next(token !== undefined && matchesAny(token, secrets) ? undefined : challenge('Bearer'));
  };
}

/** The webhook credential settings. */
export interface WebhookCredentials {
  bearerToken?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** Accepts the configured bearer token or basic credential; a no-op when neither is set. */
export function requireWebhookCredential(creds: WebhookCredentials): RequestHandler {
  const bearer = creds.bearerToken ? [digest(creds.bearerToken)] : [];
  const basic = creds.username && creds.password ? [digest(`${creds.username}:${creds.password}`)] : [];
  if (bearer.length === 0 && basic.length === 0) return (_req, _res, next) => next();
  const scheme = bearer.length ? 'Bearer' : 'Basic';
  return (req, _res, next) => {
    const header = req.get('authorization');
    const token = bearerOf(header);
    const pair = basicOf(header);
    const ok = (token !== undefined && matchesAny(token, bearer)) || (pair !== undefined && matchesAny(pair, basic));
    next(ok ? undefined : challenge(scheme));
  };
}
