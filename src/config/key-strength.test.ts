import { describe, expect, it } from 'vitest';
import { keyWeakness } from './key-strength.js';

describe('keyWeakness', () => {
  it.each([
    ['secret', /only 6 characters/],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /low entropy: about 0 bits/],
    ['abababababababababababab', /low entropy: about 24 bits, from 2 distinct/],
    ['kt_cg_engineering_abc123', undefined],
    ['tg_Q3vX9kLmPz7RtY2wHbN4cJ8dFs6GaE1uVo5KiTq0', undefined],
  ])('%s', (key, expected) => {
    const weakness = keyWeakness(key);
    if (expected === undefined) expect(weakness).toBeUndefined();
    else expect(weakness).toMatch(expected);
  });
});
