// Property: for any event-shaped input the recorder parser returns a batch whose state changes
// carry 16-hex-digit fingerprints, microsecond UTC times and storable text, or throws AppError
// VALIDATION_ERROR; never another error (a 500), whatever the nesting, types or characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileAlert, hostileText, hostileTimestamp } from '../../test/helpers/hostile.ts';
import { AppError } from '../core/errors.ts';
import { RECORDER_KINDS, type RecorderBatch } from '../core/recorder.ts';
import { createRecorderParser } from './recorder.ts';
import { textProblem } from './text.ts';

const LIMITS = {
  maxAlerts: 20,
  maxLabelValueBytes: 256,
  maxDepth: 32,
  maxLabelsPerAlert: 8,
  maxAnnotationsPerAlert: 8,
  maxLabelNameBytes: 32,
  maxLabelBytesPerAlert: 1024,
};
const parse = createRecorderParser(LIMITS);

const uint64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
  fc.bigInt({ min: 1n << 64n, max: 1n << 70n }).map(String),
  fc.integer(),
  hostileText(24),
);
const labelSet = fc.oneof(
  fc.dictionary(hostileText(12), hostileText(30), { maxKeys: 10 }),
  fc.array(fc.record({ key: hostileText(12), value: fc.oneof(hostileText(30), fc.integer()) }, { requiredKeys: [] }), { maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const alert = fc.record(
  {
    fingerprint: uint64,
    name: hostileText(),
    labels: labelSet,
    annotations: labelSet,
    startsAt: hostileTimestamp,
    endsAt: hostileTimestamp,
    resolved: fc.jsonValue({ maxDepth: 0 }),
  },
  { requiredKeys: [] },
);
const grouped = fc.oneof(alert, fc.record({ fingerprint: uint64, details: alert }, { requiredKeys: [] }), hostileAlert(4));
const payload = fc.record(
  {
    alert: grouped,
    alerts: fc.array(grouped, { maxLength: 4 }),
    mutedAlerts: fc.array(grouped, { maxLength: 2 }),
    mutedAlert: fc.record({ labels: labelSet, fingerprint: uint64 }, { requiredKeys: [] }),
    silence: fc.record({ id: hostileText(), createdBy: hostileText(), comment: hostileText(), matchers: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
    groupInfo: fc.jsonValue({ maxDepth: 3 }),
    inhibitingFingerprints: fc.array(uint64, { maxLength: 3 }),
    integration: fc.jsonValue({ maxDepth: 2 }),
    reason: hostileText(),
  },
  { requiredKeys: [] },
);
const event = fc.record(
  {
    '@timestamp': hostileTimestamp,
    instance: fc.oneof(hostileText(), fc.jsonValue({ maxDepth: 1 })),
    clusterPosition: fc.jsonValue({ maxDepth: 0 }),
    data: fc.oneof(
      fc.tuple(fc.constantFrom(...RECORDER_KINDS, 'futureKind'), payload).map(([kind, p]) => ({ [kind]: p })),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  },
  { requiredKeys: ['data'] },
);
const body = fc.oneof(event, fc.array(event, { maxLength: 5 }), fc.jsonValue({ maxDepth: 4 }));

function storable(batch: RecorderBatch): void {
  for (const e of batch.events) {
    const a = e.state?.alert;
    if (a) {
      expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(a.startsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      for (const s of [...Object.entries(a.labels).flat(), ...Object.entries(a.annotations).flat()]) expect(textProblem(s)).toBeUndefined();
    }
    for (const r of e.rows) {
      if (r.fingerprint !== null) expect(r.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(r.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(textProblem(JSON.stringify(r.details))).toBeUndefined();
    }
  }
}

function outcome(bytes: Uint8Array): 'batch' | 'rejected' {
  try {
    storable(parse(bytes));
    return 'batch';
  } catch (err) {
    if (err instanceof AppError && err.code === 'VALIDATION_ERROR') return 'rejected';
    throw err;
  }
}

describe('event-recorder parser under hostile input', () => {
  it('returns a storable batch or a VALIDATION_ERROR, never another error', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(body, (value) => {
        seen.add(outcome(Buffer.from(JSON.stringify(value) ?? 'null')));
      }),
      { numRuns: 400, seed: 20261201 },
    );
    expect(seen).toEqual(new Set(['batch', 'rejected']));
  });
});
