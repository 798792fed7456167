// nestsDeeperThan: counts only the brackets JSON.parse would nest, in time linear in the text.
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './nesting.js';

const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('nestsDeeperThan', () => {
  it.each([
    ['a flat object', '{"a":1,"b":[1,2],"c":{"d":null}}', 3, false],
    ['exactly the limit', nested(64), 64, false],
    ['one level over the limit', nested(65), 64, true],
    ['objects and arrays alike', '{"a":{"b":[{"c":[]}]}}', 4, true],
    ['siblings do not add up', '[[],[],[],[],[],[]]', 2, false],
    ['brackets inside a string', `["${'['.repeat(100)}"]`, 1, false],
    ['an escaped quote does not end the string', `["\\"${'{'.repeat(100)}"]`, 1, false],
    ['an escaped backslash before the closing quote', `["\\\\",${nested(3)}]`, 3, true],
    ['a run of escaped backslashes, then brackets in the same string', `["\\\\\\\\\\"[[[["]`, 1, false],
    ['a 10,000-deep body', nested(10_000), 64, true],
    ['an unterminated string', `["${'['.repeat(100)}`, 1, false],
    ['a stray backslash at the very end', '["\\', 1, false],
    ['non-ASCII text around brackets', '["日本語😀[[[[", {"k": "é"}]', 2, false],
  ])('%s', async (_name, text, max, deeper) => {
    expect(await nestsDeeperThan(text, max)).toBe(deeper);
  });

  it('agrees with JSON.parse on where strings end, for every escape JSON allows', async () => {
    const value = { s: 'q"b\\s/\b\f\n\r\t\u0000\u2028😀[{', t: [[['x']]] };
    const text = JSON.stringify(value);
    expect(await nestsDeeperThan(text, 3)).toBe(true);
    expect(await nestsDeeperThan(text, 4)).toBe(false);
  });

  it('scans 16 MiB without a newline or whitespace in a few slices, keeping the event loop free', async () => {
    const text = `{"a":"${'\\"'.repeat(4 * 1024 * 1024)}","b":[${'1,'.repeat(4 * 1024 * 1024)}1]}`;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      expect(await nestsDeeperThan(text, 64)).toBe(false);
    } finally {
      clearInterval(timer);
    }
    // The loop ran other work while the scan was going on: it yields between slices.
    expect(ticks).toBeGreaterThan(0);
  });
});
