// A secret value that cannot leak by accident: string conversion, JSON, util.inspect and template
// literals all print `***`; only `reveal()` gives the text, and only code that sends it calls it.

const MASK = '***';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** A credential, token or secret URL. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret text, for the one place that sends it. */
  reveal(): string {
    return this.#value;
  }

  /** True when the secret is the empty string. */
  get empty(): boolean {
    return this.#value === '';
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspectSymbol](): string {
    return `Secret(${MASK})`;
  }
}

/**
 * A URL as it may be shown: scheme and host kept, the path, query and credentials replaced by
 * `***` (Slack webhook paths and query tokens are secrets).
 */
export function maskUrl(url: string | undefined): string {
  if (!url) return '';
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname.length > 1 || parsed.search !== '' || parsed.username !== '';
    return `${parsed.protocol}//${parsed.host}${hidden ? `/${MASK}` : ''}`;
  } catch {
    return MASK;
  }
}

/** Anything holding a target's secrets; a `Target` has this shape. */
export interface SecretHolder {
  url?: Secret | undefined;
  credentials?: Secret | undefined;
  headers?: readonly { value: Secret }[];
}

/** The secrets of a target (its URL, credentials and header values), for {@link redact}. */
export function secretsOf(holder: SecretHolder): (Secret | undefined)[] {
  return [holder.url, holder.credentials, ...(holder.headers ?? []).map((h) => h.value)];
}

/**
 * Shorter fragments are never masked: they cannot be credentials worth the name, and masking
 * them would garble every message (`v1`, `api`, `x=1`). A whole secret shorter than this is not
 * masked either, as before.
 */
const MIN_FRAGMENT = 4;

/**
 * A path segment that reads like a route word (`services`, `hooks`, `echo`, `alertmanager`):
 * lower-case letters with `-`, `_` or `.`, under 16 characters. Any other segment (a digit, an
 * upper-case letter, a percent escape, 16+ characters) is treated as secret-bearing, which covers
 * Slack's `T…/B…/token`, Discord's id/token, Teams' GUIDs and tokens in general.
 */
const ROUTE_WORD = /^[a-z][a-z._-]{0,14}$/;

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A value as it may be echoed: raw, percent-decoded, re-encoded (both escape cases, form style) and JSON-escaped. */
function forms(value: string): string[] {
  const plain = decoded(value);
  const encoded = encodeURIComponent(plain);
  return [
    value,
    plain,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    new URLSearchParams({ v: plain }).toString().slice(2),
    JSON.stringify(plain).slice(1, -1),
  ];
}

function parseUrl(value: string): URL | undefined {
  if (!value.includes('://')) return undefined;
  try {
    const url = new URL(value);
    return url.host ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Userinfo (and its Basic-auth form), path segments that are not route words, query values and the fragment. */
function urlParts(url: URL): string[] {
  const parts: string[] = [];
  if (url.username || url.password) {
    parts.push(url.username, url.password);
    parts.push(Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64'));
  }
  parts.push(...url.pathname.split('/').filter((s) => !ROUTE_WORD.test(decoded(s))));
  for (const pair of url.search.slice(1).split('&')) parts.push(pair.slice(pair.indexOf('=') + 1));
  parts.push(url.hash.slice(1));
  return parts;
}

function fragmentsOf(value: string): string[] {
  const url = parseUrl(value);
  const parts = [value, ...(url ? urlParts(url) : [])];
  return parts.flatMap(forms).filter((f) => f.length >= MIN_FRAGMENT);
}

/**
 * Every substring of `secrets` that must never be shown, longest first: each whole value, and for
 * a URL its userinfo, secret-bearing path segments, query values and fragment, each raw,
 * percent-decoded, percent-encoded and JSON-escaped.
 */
export function sensitiveFragments(secrets: readonly (Secret | string | undefined)[]): string[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    const value = typeof secret === 'string' ? secret : secret?.reveal();
    if (value) for (const fragment of fragmentsOf(value)) all.add(fragment);
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** A function masking every {@link sensitiveFragments} of `secrets` in a text (computed once). */
export function createRedactor(secrets: readonly (Secret | string | undefined)[]): (text: string) => string {
  const fragments = sensitiveFragments(secrets);
  return (text) => fragments.reduce((out, fragment) => (out.includes(fragment) ? out.split(fragment).join(MASK) : out), text);
}

/**
 * The one redaction of the service: replaces by `***` every sensitive fragment of `secrets` in
 * `text` (see {@link sensitiveFragments}), so a vendor's echo of a URL's path or query leaks
 * nothing either.
 */
export function redact(text: string, secrets: readonly (Secret | string | undefined)[]): string {
  return createRedactor(secrets)(text);
}
