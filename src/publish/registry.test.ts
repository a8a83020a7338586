import { describe, expect, it } from 'vitest';
import { TARGET_TYPES } from '../core/publishing.ts';
import { publisherRegistry, registeredTypes } from './registry.ts';

describe('publisher registry', () => {
  it('holds exactly the target type enum, each under its own type', () => {
    expect(registeredTypes()).toEqual([...TARGET_TYPES].sort());
    for (const type of TARGET_TYPES) expect(publisherRegistry.get(type).type).toBe(type);
  });
});
