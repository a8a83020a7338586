// The hand-checked path (fast.ts) against the full validation: for any body, the parser with it
// and the parser without it return the same batch or throw the same error.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileBody, hostileText, hostileTimestamp } from '../../test/helpers/hostile.ts';
import { defaultIngestLimits } from '../../test/helpers/ingest-limits.ts';
import { AppError } from '../core/errors.ts';
import { cannotHoldBadText, fastBody } from './fast.ts';
import { parseJsonBody } from './json.ts';
import { createWebhookParser, type IngestLimits } from './webhook.ts';

const SMALL: IngestLimits = {
  maxAlerts: 6,
  maxLabelValueBytes: 60,
  maxDepth: 32,
  maxLabelsPerAlert: 5,
  // Also the member cap of any other object (the scan's): an alert has up to 9 fields here.
  maxAnnotationsPerAlert: 10,
  maxLabelNameBytes: 30,
  maxLabelBytesPerAlert: 150,
};
const ctx = { source: 'webhook' as const };

type Outcome = { batch: unknown } | { error: { code: string; message: string; details: unknown } };

function outcome(parse: ReturnType<typeof createWebhookParser>, bytes: Uint8Array): Outcome {
  try {
    return { batch: parse(bytes, ctx) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { error: { code: err.code, message: err.message, details: err.details } };
  }
}

function sameOutcome(limits: IngestLimits): (bytes: Uint8Array) => void {
  const fast = createWebhookParser(limits);
  const full = createWebhookParser(limits, { fastPath: false });
  return (bytes) => {
    expect(outcome(fast, bytes)).toEqual(outcome(full, bytes));
  };
}

const near = (n: number): fc.Arbitrary<number> => fc.integer({ min: Math.max(0, n - 3), max: n + 3 });
/** Strings around a byte limit, in ASCII or 2-, 3- and 4-byte characters. */
const sized = (limit: number): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom('a', 'é', '€', '😀'), near(limit)).map(([unit, n]) => unit.repeat(Math.ceil(n / Buffer.byteLength(unit))));

const rare = <T>(valid: fc.Arbitrary<T>, ...odd: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4 * odd.length, arbitrary: valid }, ...odd.map((arbitrary) => ({ weight: 1, arbitrary })));

const name = rare(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
  fc.constantFrom('', '__proto__', 'constructor', '0', '10', 'alertname'),
  sized(SMALL.maxLabelNameBytes),
  hostileText(8),
);
const value = rare(fc.string({ maxLength: 12 }), sized(SMALL.maxLabelValueBytes), fc.constantFrom<unknown>(null, 3, true, [], {}), hostileText(8));
const map = rare(fc.dictionary(name as fc.Arbitrary<string>, value, { maxKeys: 5 }), fc.constantFrom<unknown>(null, [], 'x', 1));
const timestamp = rare(
  fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('0001-01-01T00:00:00Z', '2026-11-20T09:14:27+01:00', '2026-11-20T09:14:27.123456789Z', '2020-01-01T00:00:00Z'),
  hostileTimestamp,
  fc.constantFrom<unknown>(null, 0, '', '2026-11-20T09:14:27'),
);

/** Alerts that are mostly valid, with every field sometimes wrong or at a limit. */
const plausibleAlert = fc.record(
  {
    status: rare(fc.constantFrom('firing', 'resolved'), fc.constantFrom<unknown>('Firing', null, 1)),
    labels: map,
    annotations: map,
    startsAt: timestamp,
    endsAt: timestamp,
    generatorURL: rare(fc.webUrl(), fc.constantFrom<unknown>('x'.repeat(8192), 'x'.repeat(8193), 5, null)),
    fingerprint: rare(fc.stringMatching(/^[a-f0-9]{16}$/), fc.constantFrom<unknown>('', 'not a fingerprint', 'a'.repeat(128), 'a'.repeat(129), 7)),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['status', 'labels', 'startsAt'] },
);
const optionalText = rare(fc.string({ maxLength: 10 }), fc.constantFrom<unknown>('r'.repeat(4096), 'r'.repeat(4097), 1, null));
const plausibleBody = fc.oneof(
  fc.record(
    {
      version: fc.constant('4'),
      receiver: optionalText,
      groupKey: optionalText,
      alerts: rare(fc.array(plausibleAlert, { maxLength: 3 }), fc.array(plausibleAlert, { minLength: SMALL.maxAlerts, maxLength: SMALL.maxAlerts + 1 })),
    },
    { requiredKeys: ['alerts'] },
  ),
  fc.array(plausibleAlert, { maxLength: 3 }),
  fc.record({ version: fc.constant('4'), alerts: fc.constantFrom<unknown>(null, {}, 'x') }),
);
const bytesOf = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v) ?? 'null');

describe('the hand-checked path gives what the full validation gives', () => {
  it('plausible bodies near every limit', () => {
    fc.assert(fc.property(plausibleBody.map(bytesOf), sameOutcome(SMALL)), { numRuns: 1500 });
  });

  it('hostile bodies', () => {
    fc.assert(fc.property(hostileBody({ maxAlerts: SMALL.maxAlerts + 1 }).map(bytesOf), sameOutcome(SMALL)), { numRuns: 300 });
  });

  it('plausible bodies with the default limits', () => {
    fc.assert(fc.property(plausibleBody.map(bytesOf), sameOutcome(defaultIngestLimits())), { numRuns: 300 });
  });
});

const EDGES: Record<string, unknown[]> = {
  status: ['firing', 'resolved', 'Firing', '', null, 1],
  labels: [
    {},
    { '': 'x' },
    { a: '' },
    { a: 1 },
    { a: null },
    { a: 'x'.repeat(60) },
    { a: 'x'.repeat(61) },
    { a: '€'.repeat(20) },
    { a: '€'.repeat(21) },
    { ['n'.repeat(30)]: 'x' },
    { ['n'.repeat(31)]: 'x' },
    { ['é'.repeat(15)]: 'x' },
    { ['é'.repeat(16)]: 'x' },
    { a: 'x'.repeat(50), b: 'x'.repeat(48) },
    { a: 'x'.repeat(50), b: 'x'.repeat(49), c: 'y'.repeat(50) },
    { a: 'x'.repeat(50), b: 'x'.repeat(50), c: 'y'.repeat(50) },
    { a: '€'.repeat(20), b: '€'.repeat(20), c: '€'.repeat(11) },
    { a: '€'.repeat(20), b: '€'.repeat(20), c: '€'.repeat(8) },
    { a: '😀'.repeat(15), b: 'é'.repeat(30) },
    [],
    'x',
    null,
  ],
  annotations: [
    undefined,
    {},
    { '': 'x' },
    { a: 1 },
    { a: 'x'.repeat(61) },
    { ['n'.repeat(31)]: 'x' },
    { a: 'x'.repeat(60), b: 'x'.repeat(60), c: 'x'.repeat(60) },
    Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, 'v'])),
    { a: '€'.repeat(21) },
    [],
    null,
  ],
  startsAt: ['2026-11-20T09:14:27Z', '0001-01-01T00:00:00Z', '2026-11-20T09:14:27', '', null, 5],
  endsAt: [undefined, '0001-01-01T00:00:00Z', '2026-11-20T09:14:26Z', '2026-11-20T09:14:27Z', '2026-11-20T09:14:28+00:00', 'soon', null],
  generatorURL: [undefined, '', 'x'.repeat(8192), 'x'.repeat(8193), 5, null],
  fingerprint: [undefined, 'a'.repeat(128), 'a'.repeat(129), '', 'a b', 7, null],
};

describe('the hand-checked path on each edge of each field', () => {
  const base = {
    status: 'firing',
    labels: { alertname: 'A', job: 'j' },
    annotations: { summary: 's' },
    startsAt: '2026-11-20T09:14:27Z',
    endsAt: '2026-11-20T09:15:27Z',
    generatorURL: 'http://x',
    fingerprint: 'abc',
  };
  const cases = Object.entries(EDGES).flatMap(([field, values]) => values.map((v, i): [string, number, unknown] => [field, i, v]));
  const check = sameOutcome(SMALL);

  it('takes the hand-checked path for the base alert', () => {
    expect(fastBody('array', [base], SMALL)?.alerts).toHaveLength(1);
  });

  it.each(cases)('%s #%i', (field, _i, v) => {
    const alert = { ...base, [field]: v };
    check(bytesOf({ version: '4', alerts: [base, alert] }));
    check(bytesOf([alert]));
  });

  it.each([[5], [6], [7]])('%i alerts against a limit of 6', (n) => {
    check(bytesOf({ alerts: Array.from({ length: n }, () => base) }));
  });
});

describe('the hand-checked path is taken', () => {
  const limits = defaultIngestLimits();
  const fixture = (file: string): Buffer => readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url));

  it.each(['am-v4-firing.json', 'am-v4-resolved.json', 'am-v4-no-fingerprint.json', 'am-v4-storm-100.json', 'am-bare-array.json'])('by %s', (file) => {
    const body = fixture(file);
    const json = parseJsonBody(body, limits);
    expect(cannotHoldBadText(body)).toBe(true);
    expect(fastBody(Array.isArray(json) ? 'array' : 'envelope', json, limits)).toBeDefined();
  });

  it('not when a string may hold an escaped NUL or surrogate', () => {
    expect(cannotHoldBadText(Buffer.from('{"receiver":"a\\u0000"}'))).toBe(false);
    expect(cannotHoldBadText(Buffer.from('{"receiver":"a\\uD83D\\ude00"}'))).toBe(false);
    expect(cannotHoldBadText(Buffer.from('{"receiver":"a\\udfff"}'))).toBe(false);
    expect(cannotHoldBadText(Buffer.from('{"receiver":"\\\\u0000"}'))).toBe(false);
    expect(cannotHoldBadText(Buffer.from('["\\\\u"]'))).toBe(true);
    expect(cannotHoldBadText(Buffer.from('"\\\\u"'))).toBe(true);
    expect(cannotHoldBadText(Buffer.from('{"receiver":"a\\u003e\\u0026\\u00e9\\uFFFD","x":"\\\\n"}'))).toBe(true);
  });
});
