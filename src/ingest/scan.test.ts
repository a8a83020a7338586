import { describe, expect, it } from 'vitest';
import { scanJson } from './scan.ts';

const LIMITS = { maxDepth: 4, maxAlerts: 3, maxLabelsPerAlert: 2, maxAnnotationsPerAlert: 1 };
const scan = (text: string): ReturnType<typeof scanJson> => scanJson(Buffer.from(text), LIMITS);

describe('scanJson', () => {
  it.each([
    ['{"alerts":[{"labels":{"a":"1","b":"2"},"annotations":{"s":"x"}}]}'],
    ['[{"labels":{"a":"1"}},{},{}]'],
    ['{"alerts":[],"x":"{[,,,,]}\\"labels\\":{"}'],
    ['{"list":[1,2,3,4,5,6,7,8]}'],
    ['not json, at all: ,,,,,'],
  ])('passes %s', (text) => {
    expect(scan(text)).toBeUndefined();
  });

  it.each([
    ['{"alerts":[{"labels":{"a":"1","b":"2","c":"3"}}]}', ['alerts', 0, 'labels'], 'more than 2 labels'],
    ['{"alerts":[{},{"annotations":{"a":"1","b":"2"}}]}', ['alerts', 1, 'annotations'], 'more than 1 annotations'],
    ['{"alerts":[{},{},{},{}]}', ['alerts'], 'at most 3 alerts per request'],
    ['[{},{},{},{}]', [], 'at most 3 alerts per request'],
    ['{"x":{"a":1,"b":2,"c":3}}', ['x'], 'more than 2 members'],
    ['{"a\\"b":{"labels":{"1":"","2":"","3":""}}}', ['a"b', 'labels'], 'more than 2 labels'],
    ['[[[[[]]]]]', [], 'JSON nesting deeper than 4 levels'],
  ])('rejects %s at %j', (text, path, message) => {
    expect(scan(text)).toEqual({ path, message });
  });

  it('shortens a huge key in the path', () => {
    const key = 'k'.repeat(100_000);
    const issue = scan(`{"${key}":{"a":1,"b":2,"c":3}}`);
    expect(String(issue?.path[0]).length).toBeLessThan(100);
  });
});
