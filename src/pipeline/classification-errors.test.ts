import { describe, expect, it } from 'vitest';
import { createClassificationErrors } from './classification-errors.ts';

describe('classification errors port', () => {
  it('counts each report and passes its type on', () => {
    const seen: string[] = [];
    const errors = createClassificationErrors((type) => seen.push(type));
    expect(errors.count()).toBe(0);
    errors.report('timeout');
    errors.report('server_error');
    expect(errors.count()).toBe(2);
    expect(seen).toEqual(['timeout', 'server_error']);
  });
});
