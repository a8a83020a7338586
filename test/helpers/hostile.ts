// fast-check arbitraries for hostile input, shared by the parser's property test and the HTTP
// property test: strings biased toward NUL, lone surrogates and quoting characters, alert-shaped
// bodies, raw query strings and path segments built from arbitrary percent-encoded bytes.
import fc from 'fast-check';

/** One UTF-16 unit or code point, biased toward the hostile ones. */
export const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ufffd', '"', '\\', '\u2028') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** A string of hostile units. */
export const hostileText = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: hostileUnit, maxLength });

/** Timestamps: valid, at and past the edges of years 0001..9999 UTC, malformed. */
export const hostileTimestamp: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '2026-11-20T09:14:27Z',
    '0001-01-01T00:00:00Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:59:59.999999Z',
    '9999-12-31T23:30:00-01:00',
    '2026-02-30T00:00:00Z',
  ),
  fc.date({ min: new Date(-62_200_000_000_000), max: new Date(253_500_000_000_000), noInvalidDate: true }).map((d) => d.toISOString()),
  hostileText(),
);

const stringMap = (maxKeys: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(hostileText(40), fc.oneof({ weight: 8, arbitrary: hostileText(300) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), { maxKeys });

/** An alert-shaped object whose every field may be hostile. */
export const hostileAlert = (maxKeys = 12): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      status: fc.oneof(fc.constantFrom('firing', 'resolved'), hostileText(10)),
      labels: fc.oneof({ weight: 6, arbitrary: stringMap(maxKeys) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
      annotations: stringMap(maxKeys),
      startsAt: hostileTimestamp,
      endsAt: hostileTimestamp,
      generatorURL: hostileText(),
      fingerprint: fc.oneof(fc.stringMatching(/^[a-f0-9]{16}$/), hostileText(20)),
    },
    { requiredKeys: ['status', 'labels', 'startsAt'] },
  );

/** A webhook body: the v4 envelope, a bare array, a flat alert, or any JSON value. */
export const hostileBody = (options: { maxAlerts: number; maxKeys?: number }): fc.Arbitrary<unknown> => {
  const alert = hostileAlert(options.maxKeys);
  return fc.oneof(
    fc.record({ version: fc.constant('4'), receiver: hostileText(), groupKey: hostileText(), alerts: fc.array(alert, { maxLength: options.maxAlerts }) }),
    fc.array(alert, { maxLength: 3 }),
    alert.map((a) => ({ ...a, alertname: 'Flat' })),
    fc.jsonValue({ maxDepth: 4 }),
  );
};

/** Arbitrary bytes, percent-encoded (`%ff%00`): valid UTF-8 or not. */
export const percentBytes = (maxLength = 4): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: 1, maxLength }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));

const rawPiece = fc.oneof(
  percentBytes(),
  fc.constantFrom('%', '%z', '+', '=', '%00', '%ED%A0%80', '%C3%A9', '24h', '7d', '-1', '1e400', '99999999d', '2026-11-20T09:14:27Z'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map(encodeURIComponent),
  fc.stringMatching(/^\d{1,12}(\.\d)?(ms|s|m|h|d|w)$/),
);

/** A raw (already encoded) query value. */
export const rawQueryValue: fc.Arbitrary<string> = fc.array(rawPiece, { maxLength: 3 }).map((parts) => parts.join(''));

/** A raw query string over the given parameter names (and random ones). */
export const rawQueryString = (names: readonly string[]): fc.Arbitrary<string> => {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: rawQueryValue });
  return fc.array(fc.tuple(name, rawQueryValue), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
};
