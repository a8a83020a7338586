import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertFingerprint, fingerprintFromDecimal, labelSetFingerprint } from './fingerprint.ts';

interface Vector {
  labels: Record<string, string>;
  fingerprint: string;
  decimal: string;
  note: string;
}

const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/fingerprint-vectors.json', import.meta.url), 'utf8')) as Vector[];

describe('labelSetFingerprint', () => {
  it.each(vectors.map((v) => [v.fingerprint, v] as const))('reproduces vector %s', (_fp, vector) => {
    expect(labelSetFingerprint(vector.labels)).toBe(vector.fingerprint);
    expect(BigInt(`0x${vector.fingerprint}`).toString()).toBe(vector.decimal);
  });

  it('does not depend on key order', () => {
    expect(labelSetFingerprint({ severity: 'critical', instance: 'server1', alertname: 'HighCPU' })).toBe('095c02d3375625f5');
  });

  it('hashes __proto__ as an ordinary label name', () => {
    const labels = JSON.parse('{"__proto__":"polluted","alertname":"ProtoKeys","constructor":"x","hasOwnProperty":"y"}') as Record<string, string>;
    expect(labelSetFingerprint(labels)).toBe('fc3c5a3935817f29');
  });
});

describe('alertFingerprint', () => {
  it('drops empty values the way Alertmanager does (vector 8 -> vector 9)', () => {
    expect(alertFingerprint({ alertname: 'EmptyValue', team: '' })).toBe('562a4742b25554c6');
  });
});

describe('fingerprintFromDecimal', () => {
  it.each(vectors.map((v) => [v.decimal, v.fingerprint] as const))('reads the uint64 %s as %s', (decimal, hex) => {
    expect(fingerprintFromDecimal(decimal)).toBe(hex);
  });

  it('keeps the top of the range and pads small values', () => {
    expect(fingerprintFromDecimal('18446744073709551615')).toBe('ffffffffffffffff');
    expect(fingerprintFromDecimal('0')).toBe('0000000000000000');
  });

  it.each(['18446744073709551616', '-1', '01', '1e3', '0x10', '', ' 1', '1.0'])('refuses %j', (text) => {
    expect(fingerprintFromDecimal(text)).toBeNull();
  });
});
