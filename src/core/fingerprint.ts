// Alertmanager's label-set fingerprint: 64-bit FNV-1a over the label names sorted by UTF-8 bytes,
// each name and value followed by a 0xFF separator (prometheus/common model.LabelSet.Fingerprint).
// Computed on two 32-bit halves: ~20x faster than BigInt and exact.

const PRIME_LOW = 0x1b3; // the FNV-64 prime is 2^40 + 0x1b3
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const SEPARATOR = 0xff;
const TWO_POW_32 = 0x1_0000_0000;

interface State {
  hi: number;
  lo: number;
}

function feed(state: State, bytes: Uint8Array): void {
  let { hi, lo } = state;
  for (const byte of bytes) {
    lo = (lo ^ byte) >>> 0;
    const loProduct = lo * PRIME_LOW;
    const carry = Math.floor(loProduct / TWO_POW_32);
    hi = (Math.imul(hi, PRIME_LOW) + carry + (lo << 8)) >>> 0;
    lo = loProduct >>> 0;
  }
  state.hi = hi;
  state.lo = lo;
}

const SEP = new Uint8Array([SEPARATOR]);

/** The bare algorithm: hashes every label, empty values included. */
export function labelSetFingerprint(labels: Readonly<Record<string, string>>): string {
  const entries = Object.keys(labels).map((name) => ({ name: Buffer.from(name, 'utf8'), value: labels[name] ?? '' }));
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  const state: State = { hi: OFFSET_HI, lo: OFFSET_LO };
  for (const entry of entries) {
    feed(state, entry.name);
    feed(state, SEP);
    feed(state, Buffer.from(entry.value, 'utf8'));
    feed(state, SEP);
  }
  return state.hi.toString(16).padStart(8, '0') + state.lo.toString(16).padStart(8, '0');
}

/** What Alertmanager computes for an alert: empty-valued labels are dropped first. */
export function alertFingerprint(labels: Readonly<Record<string, string>>): string {
  const kept = Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
  return labelSetFingerprint(kept);
}

const UINT64_DECIMAL = /^(?:0|[1-9]\d{0,19})$/;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The 16-hex-digit fingerprint of a uint64 written in decimal (the event recorder's protojson
 * form, e.g. `"5799056148416392346"`), or null when the text is not a uint64.
 */
export function fingerprintFromDecimal(text: string): string | null {
  if (!UINT64_DECIMAL.test(text)) return null;
  const value = BigInt(text);
  return value > UINT64_MAX ? null : value.toString(16).padStart(16, '0');
}
