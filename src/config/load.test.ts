// The shared load path: which findings a config gets, including on parts the schema rejected.
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../tokens/index.js';
import { type LoadOptions, loadConfigText } from './load.js';

const deps = { env: {}, tokenizer: createTokenizer(), now: () => 0 };
const TARGETS = 'providers:\n  targets:\n    - id: mock\n      provider: mock\n';

/** Anonymous callers are refused unless a case says otherwise, so unlimited defaults are not reported. */
function codes(body: string, options?: LoadOptions): string[] {
  const defaults = body.includes('rate_limit_defaults') ? '' : 'rate_limit_defaults: {anonymous: deny}\n';
  const yaml = TARGETS + body + defaults;
  return loadConfigText('c.yaml', yaml, deps, options).issues.map((i) => `${i.severity}:${i.code}@${i.path}`);
}

const group = (limits: string, extra = '') =>
  `consumer_groups:\n  - name: a\n    api_key_sha256: ${'ab'.repeat(32)}\n${extra}    rate_limits: {${limits}}\n`;

describe('config checks', () => {
  it.each([
    ['nothing for a group with its own limits', group('requests_per_minute: 10, tokens_per_minute: 10000'), []],
    [
      'tokens_per_minute above an inherited tokens_per_day, at the group',
      `${group('tokens_per_minute: 5000')}rate_limit_defaults: {tokens_per_day: 4000}\n`,
      ['warning:minute_above_day@consumer_groups[0].rate_limits.tokens_per_minute'],
    ],
    [
      'a limit written in the defaults once, not again for each group inheriting it',
      `${group('')}rate_limit_defaults: {tokens_per_minute: 100}\n`,
      ['error:limit_below_smallest_request@rate_limit_defaults.tokens_per_minute'],
    ],
    [
      'the smallest request following budget.min_output_tokens',
      `${group('tokens_per_minute: 100')}budget: {min_output_tokens: 16}\n`,
      [],
    ],
    [
      'defaults without limits when anonymous callers are allowed',
      'rate_limit_defaults: {anonymous: allow}\n',
      ['warning:defaults_without_limits@rate_limit_defaults'],
    ],
    ['several instances sharing a Redis store', 'deployment: {instances: 4}\nstore: {type: redis}\n', []],
    [
      'a missing limit, not a second finding, when the group limit itself is invalid',
      group('tokens_per_minute: -1'),
      ['error:not_positive@consumer_groups[0].rate_limits.tokens_per_minute'],
    ],
    [
      'duplicate keys across plain and hashed forms even when another field is misspelt',
      `consumer_groups:\n  - name: a\n    api_key: ${'x'.repeat(8)}0123456789abcdef\n    rate_limts: {}\n  - name: b\n    api_key: ${'x'.repeat(8)}0123456789abcdef\n    rate_limits: {requests_per_minute: 5}\n`,
      [
        'warning:plaintext_key@consumer_groups[0].api_key',
        'error:unknown_field@consumer_groups[0].rate_limts',
        'error:duplicate_api_key@consumer_groups[1].api_key',
        'warning:plaintext_key@consumer_groups[1].api_key',
      ],
    ],
  ])('reports %s', (_, body, expected) => {
    expect(codes(body)).toEqual(expected);
  });

  it('makes an unset secret an error to run and a warning to lint', () => {
    const yaml = `providers:\n  targets:\n    - id: o\n      provider: openai\n      secret_key_ref: {env: NOPE}\nrate_limit_defaults: {anonymous: deny}\n`;
    const run = loadConfigText('c.yaml', yaml, deps);
    const lint = loadConfigText('c.yaml', yaml, deps, { purpose: 'lint' });
    expect(run.issues.map((i) => i.severity)).toEqual(['error']);
    expect(run.runtime).toBeUndefined();
    expect(lint.issues.map((i) => i.severity)).toEqual(['warning']);
    expect(lint.runtime?.targets).toEqual([]);
  });
});
