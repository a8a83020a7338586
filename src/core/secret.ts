const MASK = '***';

/**
 * A credential that never prints itself: `toString`, `toJSON` and `util.inspect` all give `***`,
 * so a secret that slips into a log line, an error or a response body stays hidden.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The clear text, for the one place that must send it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return MASK;
  }
}

/** Masks the credentials and query of a URL for display: `https://***@host/path?***`. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const auth = url.username || url.password ? '***@' : '';
    const query = url.search ? '?***' : '';
    const path = url.pathname.length > 1 ? '/***' : '';
    return `${url.protocol}//${auth}${url.host}${path}${query}`;
  } catch {
    return MASK;
  }
}
