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

/** Replaces every occurrence of each secret's text in `text` by `***`. */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.reveal().length < 4) continue;
    out = out.split(secret.reveal()).join(MASK);
  }
  return out;
}
