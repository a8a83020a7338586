import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BAD_PAYLOAD_PATHS, rejectedFixtureFiles } from '../../test/helpers/bad-payloads.ts';
import { AppError } from '../core/errors.ts';
import { createWebhookParser, formatPath } from './webhook.ts';
import { defaultIngestLimits } from '../../test/helpers/ingest-limits.ts';

const fixtures = new URL('../../test/fixtures/', import.meta.url);
const read = (name: string): Buffer => readFileSync(new URL(name, fixtures));
const LIMITS = defaultIngestLimits();
const parse = createWebhookParser(LIMITS);
const ctx = { source: 'webhook' as const };

function rejection(body: Uint8Array): AppError {
  try {
    parse(body, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

const fieldPaths = (err: AppError): string[] => (err.details?.fields as { path: string }[]).map((f) => f.path);

describe('valid fixtures', () => {
  it('am-v4-firing: keeps fingerprints, normalises times, zero endsAt is null', () => {
    const batch = parse(read('am-v4-firing.json'), ctx);
    expect(batch.alerts.map((a) => a.fingerprint)).toEqual(['44a691f422eafef8', '44fdbac966a50875']);
    expect(batch.alerts.map((a) => a.startsAt)).toEqual(['2026-11-20T09:14:27.123456Z', '2026-11-20T09:15:02.987654Z']);
    expect(batch.alerts.every((a) => a.endsAt === null && a.status === 'firing')).toBe(true);
    expect(batch.alerts[0]!.generatorURL).toContain('&');
    expect(batch.receiver).toBe('alert-history');
  });

  it('am-v4-resolved: endsAt kept', () => {
    const batch = parse(read('am-v4-resolved.json'), ctx);
    expect(batch.alerts.every((a) => a.status === 'resolved' && a.endsAt === '2026-11-20T09:52:40.604117Z')).toBe(true);
  });

  it('am-v4-no-fingerprint: computes them the Alertmanager way', () => {
    const batch = parse(read('am-v4-no-fingerprint.json'), ctx);
    expect(batch.alerts.map((a) => a.fingerprint)).toEqual(['095c02d3375625f5', '4521e414ee1f83da', '003b0a0f7d3fa569']);
  });

  it('am-v4-new-fields: ignores unknown fields, keeps the escaped receiver, reads offsets', () => {
    const batch = parse(read('am-v4-new-fields.json'), ctx);
    expect(batch.alerts.map((a) => a.fingerprint)).toEqual(['1a284aff3b817a4f', '815d084389da64d6']);
    expect(batch.alerts[0]!.startsAt).toBe('2026-11-21T09:05:00.500000Z');
    expect(batch.receiver).toBe('sre\\.checkout');
    expect(JSON.stringify(batch)).not.toContain('x_alert_extra');
  });

  it('am-v4-storm-100: 100 distinct alerts', () => {
    const batch = parse(read('am-v4-storm-100.json'), ctx);
    expect(new Set(batch.alerts.map((a) => a.fingerprint)).size).toBe(100);
    expect(batch.alerts[0]!.fingerprint).toBe('f89b7c1add4c60b0');
    expect(batch.alerts.filter((a) => a.status === 'resolved')).toHaveLength(5);
  });

  it('am-bare-array: accepted without the envelope', () => {
    const batch = parse(read('am-bare-array.json'), ctx);
    expect(batch.alerts).toHaveLength(1);
    expect(batch.groupKey).toBeNull();
  });

  it('proto-pollution-keys: stored as ordinary keys, prototype untouched', () => {
    const batch = parse(read('bad-payloads/proto-pollution-keys.json'), ctx);
    const labels = batch.alerts[0]!.labels;
    expect(Object.keys(labels).sort()).toEqual(['__proto__', 'alertname', 'constructor', 'hasOwnProperty']);
    expect(batch.alerts[0]!.fingerprint).toBe('fc3c5a3935817f29');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it('accepts the flat single-alert body of the Go service', () => {
    const body = { alertname: 'DiskFull', status: 'firing', labels: { instance: 'db1' }, startsAt: '2026-11-21T07:00:00Z' };
    const batch = parse(Buffer.from(JSON.stringify(body)), ctx);
    expect(batch.alerts[0]!.labels).toEqual({ alertname: 'DiskFull', instance: 'db1' });
  });

  it('accepts an empty alerts array', () => {
    expect(parse(Buffer.from('{"version":"4","alerts":[]}'), ctx).alerts).toEqual([]);
  });
});

describe('bad payloads', () => {
  it('covers every rejected fixture', () => {
    expect(rejectedFixtureFiles()).toEqual(Object.keys(BAD_PAYLOAD_PATHS).sort());
  });

  it.each(Object.entries(BAD_PAYLOAD_PATHS))('%s -> 400 naming %j', (file, path) => {
    const err = rejection(read(`bad-payloads/${file}`));
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(err.status).toBe(400);
    expect(fieldPaths(err).some((p) => p.startsWith(path))).toBe(true);
    expect(err.message.length).toBeLessThan(2000);
  });

  it('names the offending label of a 2 MiB label value', () => {
    const body = JSON.parse(read('am-v4-firing.json').toString()) as { alerts: { labels: Record<string, string>; fingerprint?: string }[] };
    body.alerts = [body.alerts[0]!];
    body.alerts[0]!.labels.pod = 'a'.repeat(2 * 1024 * 1024);
    delete body.alerts[0]!.fingerprint;
    const err = rejection(Buffer.from(JSON.stringify(body)));
    expect(fieldPaths(err)).toContain('alerts[0].labels.pod');
    expect(err.message).not.toContain('aaaaaaaaaa');
  });

  it('caps the number of alerts', () => {
    const small = createWebhookParser({ ...LIMITS, maxAlerts: 1, maxLabelValueBytes: 1024 });
    const err = (() => {
      try {
        small(read('am-v4-firing.json'), ctx);
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected a rejection');
    })();
    expect(fieldPaths(err)).toContain('alerts');
  });
});

describe('formatPath', () => {
  it('quotes names that are not identifiers', () => {
    expect(formatPath(['alerts', 0, 'labels', 'service.name'])).toBe('alerts[0].labels["service.name"]');
    expect(formatPath([2, 'startsAt'])).toBe('[2].startsAt');
  });
});
